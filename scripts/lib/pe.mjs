// Read a PE file (Windows) far enough to check a single executable that cannot run here: the
// Authenticode certificate table (empty once osslsigncode removed node.exe's signature, which
// injection would break) and the RCDATA resource NODE_SEA_BLOB where a SEA keeps its blob.
const IMAGE_DIRECTORY_ENTRY_SECURITY = 4;
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
