// Remove the Authenticode signature of a PE file (what `signtool remove /s` does), so the injected
// executable carries no signature rather than a broken one. Node's official node.exe is signed;
// injecting the SEA blob changes the bytes the signature covers.
import { open } from 'node:fs/promises';

const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;

/** @returns {Promise<number>} bytes removed (0 if the file had no signature) */
export async function removePeSignature(file) {
  const fh = await open(file, 'r+');
  try {
    const { size } = await fh.stat();
    const dos = Buffer.alloc(64);
    await fh.read(dos, 0, 64, 0);
    if (dos.toString('latin1', 0, 2) !== 'MZ') throw new Error(`${file}: not a PE file (no MZ)`);
    const pe = dos.readUInt32LE(0x3c);
    const hdr = Buffer.alloc(24 + 240);
    await fh.read(hdr, 0, hdr.length, pe);
    if (hdr.toString('latin1', 0, 4) !== 'PE\0\0') throw new Error(`${file}: not a PE file (no PE signature)`);
    const opt = pe + 24; // optional header
    const magic = hdr.readUInt16LE(24);
    const dirs = magic === 0x20b ? 112 : magic === 0x10b ? 96 : -1; // PE32+ / PE32
    if (dirs < 0) throw new Error(`${file}: unknown optional header magic 0x${magic.toString(16)}`);
    const numberOfRvaAndSizes = hdr.readUInt32LE(24 + dirs - 4);
    if (numberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_SECURITY) return 0;
    const entry = opt + dirs + IMAGE_DIRECTORY_ENTRY_SECURITY * 8;
    const e = Buffer.alloc(8);
    await fh.read(e, 0, 8, entry);
    const offset = e.readUInt32LE(0); // a file offset, not an RVA, for this directory
    const length = e.readUInt32LE(4);
    if (offset === 0 || length === 0) return 0;
    if (offset + length !== size) {
      throw new Error(`${file}: the certificate table (${offset}+${length}) is not at the end of the file (${size})`);
    }
    await fh.write(Buffer.alloc(8, 0), 0, 8, entry); // clear the directory entry
    await fh.write(Buffer.alloc(4, 0), 0, 4, opt + 64); // CheckSum: 0 = none (checked only for drivers)
    await fh.truncate(offset);
    return length;
  } finally {
    await fh.close();
  }
}

const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;
const RT_RCDATA = 10;

/** PE headers far enough to find data directories and map RVAs to file offsets. */
function peLayout(buf) {
  if (buf.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE file (no MZ)');
  const pe = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE file (no PE signature)');
  const nsections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const opt = pe + 24;
  const magic = buf.readUInt16LE(opt);
  const dirs = opt + (magic === 0x20b ? 112 : 96);
  const dir = (i) => ({ rva: buf.readUInt32LE(dirs + i * 8), size: buf.readUInt32LE(dirs + i * 8 + 4) });
  const sections = [];
  for (let i = 0; i < nsections; i++) {
    const s = opt + optSize + i * 40;
    sections.push({ name: buf.toString('latin1', s, s + 8).replace(/\0+$/, ''), vsize: buf.readUInt32LE(s + 8), rva: buf.readUInt32LE(s + 12), rawSize: buf.readUInt32LE(s + 16), raw: buf.readUInt32LE(s + 20) });
  }
  const toOffset = (rva) => {
    const s = sections.find((x) => rva >= x.rva && rva < x.rva + Math.max(x.vsize, x.rawSize));
    if (!s) throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
    return rva - s.rva + s.raw;
  };
  return { dir, sections, toOffset };
}

/** The Authenticode certificate table of a PE file: {offset, size}, both 0 when unsigned. */
export function peCertificateTable(buf) {
  const { rva, size } = peLayout(buf).dir(IMAGE_DIRECTORY_ENTRY_SECURITY);
  return { offset: rva, size };
}

/**
 * The bytes of the RCDATA resource `name` (e.g. NODE_SEA_BLOB, where a SEA keeps its blob), or null.
 * Walks the resource tree type → name → language → data entry.
 */
export function peResource(buf, name) {
  const { dir, toOffset } = peLayout(buf);
  const res = dir(IMAGE_DIRECTORY_ENTRY_RESOURCE);
  if (!res.rva) return null;
  const base = toOffset(res.rva);
  const entries = (at) => {
    const n = buf.readUInt16LE(at + 12) + buf.readUInt16LE(at + 14);
    return Array.from({ length: n }, (_, i) => ({ name: buf.readUInt32LE(at + 16 + i * 8), data: buf.readUInt32LE(at + 20 + i * 8) }));
  };
  const nameOf = (e) => {
    if (!(e.name & 0x80000000)) return e.name;
    const o = base + (e.name & 0x7fffffff);
    return buf.toString('utf16le', o + 2, o + 2 + buf.readUInt16LE(o) * 2);
  };
  const sub = (e) => base + (e.data & 0x7fffffff);
  const type = entries(base).find((e) => nameOf(e) === RT_RCDATA);
  if (!type) return null;
  const named = entries(sub(type)).find((e) => nameOf(e) === name);
  if (!named) return null;
  let e = named;
  while (e.data & 0x80000000) e = entries(sub(e))[0];
  const entry = base + e.data;
  const at = toOffset(buf.readUInt32LE(entry));
  return buf.subarray(at, at + buf.readUInt32LE(entry + 4));
}
