// Reproducible release archives, written without external tools:
// entries in sorted order, one fixed mtime, uid/gid 0 with no user or group names, fixed modes,
// gzip without a file name or timestamp in its header. Same inputs, same bytes.
import { readFile, writeFile } from 'node:fs/promises';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

/** 1980-01-01T00:00:00Z: the earliest time a zip (DOS) timestamp holds; used for tar too. */
export const DEFAULT_EPOCH = 315532800;

export function sourceDateEpoch() {
  const v = process.env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return DEFAULT_EPOCH;
  if (!/^\d+$/.test(v)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, got ${v}`);
  return Number(v);
}

/**
 * @typedef {{name: string, file: string, mode: number}} Entry  a file to put at the archive's root
 */

async function load(entries) {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) {
    if (!/^[A-Za-z0-9._-]+$/.test(e.name)) throw new Error(`archive entry name not allowed: ${e.name}`);
  }
  return Promise.all(sorted.map(async (e) => ({ ...e, data: await readFile(e.file) })));
}

function octal(value, width) {
  // width includes the terminating NUL
  const s = value.toString(8);
  if (s.length > width - 1) throw new Error(`tar field overflow: ${value}`);
  return s.padStart(width - 1, '0') + '\0';
}

function tarHeader({ name, mode, size, mtime }) {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, 'ascii');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum placeholder: 8 spaces
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  // uname/gname left empty, devmajor/devminor zero
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

/** Write a .tar.gz holding `entries` at its root. */
export async function writeTarGz(out, entries, { mtime = sourceDateEpoch() } = {}) {
  const files = await load(entries);
  const parts = [];
  for (const f of files) {
    parts.push(tarHeader({ name: f.name, mode: f.mode, size: f.data.length, mtime }));
    parts.push(f.data);
    const pad = (512 - (f.data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(1024, 0)); // end-of-archive: two zero blocks
  // Node's gzip header carries no name and mtime 0.
  const gz = gzipSync(Buffer.concat(parts), { level: 9 });
  await writeFile(out, gz);
  return gz.length;
}

function dosDateTime(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const year = Math.max(d.getUTCFullYear(), 1980);
  const date = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2);
  return { date, time };
}

/** Write a .zip (deflate, no extra fields, Unix modes in the external attributes). */
export async function writeZip(out, entries, { mtime = sourceDateEpoch() } = {}) {
  const files = await load(entries);
  const { date, time } = dosDateTime(mtime);
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'ascii');
    const compressed = deflateRawSync(f.data, { level: 9 });
    const crc = crc32(f.data);
    if (f.data.length >= 0xffffffff || offset >= 0xffffffff) throw new Error('zip64 not supported');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(f.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attrs
    central.writeUInt32LE(((0o100000 | f.mode) << 16) >>> 0, 38); // regular file + mode
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  const zip = Buffer.concat([...locals, cd, end]);
  await writeFile(out, zip);
  return zip.length;
}
