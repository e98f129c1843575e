// Read a 64-bit Mach-O executable (macOS) far enough to check a single executable that cannot run
// here: its architecture, the __NODE_SEA segment with the blob, and the code signature, whose page
// hashes are recomputed from the file's bytes (what the kernel checks page by page on macOS).
//
// Formats (Apple's <mach-o/loader.h> and the code signing blobs of xnu's cs_blobs.h): header and
// load commands little endian; the signature's SuperBlob and CodeDirectory big endian.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CPU = { 0x01000007: 'amd64', 0x0100000c: 'arm64' };

const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSMAGIC_REQUIREMENTS = 0xfade0c01;
const CSMAGIC_BLOBWRAPPER = 0xfade0b01; // a CMS signature (absent or empty when ad hoc)
const CSSLOT_CODEDIRECTORY = 0;
const CSSLOT_REQUIREMENTS = 2;
const CSSLOT_SIGNATURESLOT = 0x10000;
const CS_ADHOC = 0x2;
const HASH = { 1: ['sha1', 20], 2: ['sha256', 32] };

function cstr(buf, start, len) {
  const s = buf.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.toString('latin1', 0, nul < 0 ? s.length : nul);
}

/**
 * @returns {{arch: string, segments: {name: string, fileoff: number, filesize: number, sections: {name: string, offset: number, size: number}[]}[], signature: null | {offset: number, size: number}}}
 */
export function parseMachO(buf) {
  if (buf.length < 32 || buf.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a 64-bit Mach-O file');
  const cputype = buf.readUInt32LE(4);
  const ncmds = buf.readUInt32LE(16);
  const segments = [];
  let signature = null;
  let off = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(off);
    const size = buf.readUInt32LE(off + 4);
    if (size < 8 || off + size > buf.length) throw new Error(`load command ${i} runs past the file`);
    if (cmd === LC_SEGMENT_64) {
      const seg = {
        name: cstr(buf, off + 8, 16),
        fileoff: Number(buf.readBigUInt64LE(off + 40)),
        filesize: Number(buf.readBigUInt64LE(off + 48)),
        sections: [],
      };
      const nsects = buf.readUInt32LE(off + 64);
      for (let s = 0; s < nsects; s++) {
        const so = off + 72 + s * 80;
        seg.sections.push({ name: cstr(buf, so, 16), size: Number(buf.readBigUInt64LE(so + 40)), offset: buf.readUInt32LE(so + 48) });
      }
      segments.push(seg);
    } else if (cmd === LC_CODE_SIGNATURE) {
      signature = { offset: buf.readUInt32LE(off + 8), size: buf.readUInt32LE(off + 12) };
    }
    off += size;
  }
  return { arch: CPU[cputype] ?? `cpu-0x${cputype.toString(16)}`, segments, signature };
}

/**
 * Check the embedded code signature against the file: every code page hash and the requirements
 * slot. Throws with the first mismatch.
 * @returns {{adhoc: boolean, identifier: string, hashType: string, pages: number, pageSize: number, codeLimit: number, cms: boolean}}
 */
export function verifyCodeSignature(buf, sig) {
  if (!sig) throw new Error('no LC_CODE_SIGNATURE: the executable is unsigned');
  if (sig.offset + sig.size > buf.length) throw new Error('the code signature runs past the end of the file');
  const sb = buf.subarray(sig.offset, sig.offset + sig.size);
  if (sb.readUInt32BE(0) !== CSMAGIC_EMBEDDED_SIGNATURE) throw new Error('the code signature is not an embedded SuperBlob');
  const count = sb.readUInt32BE(8);
  const slots = new Map();
  for (let i = 0; i < count; i++) slots.set(sb.readUInt32BE(12 + i * 8), sb.readUInt32BE(16 + i * 8));
  const blobAt = (type) => {
    const o = slots.get(type);
    if (o === undefined) return null;
    return sb.subarray(o, o + sb.readUInt32BE(o + 4));
  };
  const cd = blobAt(CSSLOT_CODEDIRECTORY);
  if (!cd || cd.readUInt32BE(0) !== CSMAGIC_CODEDIRECTORY) throw new Error('the code signature has no CodeDirectory');
  const flags = cd.readUInt32BE(12);
  const hashOffset = cd.readUInt32BE(16);
  const identOffset = cd.readUInt32BE(20);
  const nSpecialSlots = cd.readUInt32BE(24);
  const nCodeSlots = cd.readUInt32BE(28);
  const codeLimit = cd.readUInt32BE(32);
  const hashSize = cd[36];
  const [algo, size] = HASH[cd[37]] ?? [];
  const pageSize = 2 ** cd[39];
  if (!algo || size !== hashSize) throw new Error(`unknown CodeDirectory hash type ${cd[37]} (size ${hashSize})`);
  if (codeLimit !== sig.offset) throw new Error(`the CodeDirectory covers ${codeLimit} bytes, but the signature starts at ${sig.offset}`);
  if (nCodeSlots !== Math.ceil(codeLimit / pageSize)) throw new Error(`${nCodeSlots} page hashes for ${codeLimit} bytes of ${pageSize}-byte pages`);
  for (let i = 0; i < nCodeSlots; i++) {
    const page = buf.subarray(i * pageSize, Math.min((i + 1) * pageSize, codeLimit));
    const want = cd.subarray(hashOffset + i * hashSize, hashOffset + (i + 1) * hashSize);
    if (!createHash(algo).update(page).digest().equals(want)) throw new Error(`page ${i} (offset ${i * pageSize}) does not match its hash in the code signature`);
  }
  const req = blobAt(CSSLOT_REQUIREMENTS);
  if (req && nSpecialSlots >= CSSLOT_REQUIREMENTS) {
    if (req.readUInt32BE(0) !== CSMAGIC_REQUIREMENTS) throw new Error('the requirements slot holds no requirements blob');
    const want = cd.subarray(hashOffset - CSSLOT_REQUIREMENTS * hashSize, hashOffset - (CSSLOT_REQUIREMENTS - 1) * hashSize);
    if (!createHash(algo).update(req).digest().equals(want)) throw new Error('the requirements blob does not match its hash');
  }
  const cms = blobAt(CSSLOT_SIGNATURESLOT);
  const hasCms = Boolean(cms && cms.readUInt32BE(0) === CSMAGIC_BLOBWRAPPER && cms.length > 8);
  return { adhoc: Boolean(flags & CS_ADHOC), identifier: cstr(cd, identOffset, 256), hashType: algo, pages: nCodeSlots, pageSize, codeLimit, cms: hasCms };
}

/** The bytes of the NODE_SEA segment's blob section, or null. */
export function seaBlob(buf, parsed) {
  const seg = parsed.segments.find((s) => s.name === 'NODE_SEA' || s.name === '__NODE_SEA');
  const sect = seg?.sections.find((s) => s.name === '__NODE_SEA_BLOB');
  if (!sect) return null;
  return buf.subarray(sect.offset, sect.offset + sect.size);
}

export async function readMachO(file) {
  const buf = await readFile(file);
  return { buf, parsed: parseMachO(buf) };
}
