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
