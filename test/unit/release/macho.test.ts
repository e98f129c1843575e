// The Mach-O reader that checks the macOS executables here (they cannot run): a synthetic file
// with a NODE_SEA segment and an ad-hoc code signature passes; one changed byte fails.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
// @ts-expect-error a build script in plain JavaScript, without types
import { parseMachO, seaBlob, verifyCodeSignature } from '../../../scripts/lib/macho.mjs';

const PAGE = 4096;

/** header + LC_SEGMENT_64 NODE_SEA (one section) + LC_CODE_SIGNATURE, a blob, then the signature. */
function machO(blob: Buffer): Buffer {
  const cmds = Buffer.alloc(72 + 80 + 16);
  cmds.writeUInt32LE(0x19, 0); // LC_SEGMENT_64
  cmds.writeUInt32LE(72 + 80, 4);
  cmds.write('NODE_SEA', 8, 'latin1');
  const blobAt = PAGE;
  cmds.writeBigUInt64LE(BigInt(blobAt), 40);
  cmds.writeBigUInt64LE(BigInt(blob.length), 48);
  cmds.writeUInt32LE(1, 64);
  cmds.write('__NODE_SEA_BLOB', 72, 'latin1');
  cmds.write('NODE_SEA', 88, 'latin1');
  cmds.writeBigUInt64LE(BigInt(blob.length), 72 + 40);
  cmds.writeUInt32LE(blobAt, 72 + 48);
  const codeLimit = blobAt + PAGE * Math.ceil(blob.length / PAGE);
  cmds.writeUInt32LE(0x1d, 152); // LC_CODE_SIGNATURE
  cmds.writeUInt32LE(16, 156);
  cmds.writeUInt32LE(codeLimit, 160);
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeUInt32LE(0x0100000c, 4); // arm64
  header.writeUInt32LE(2, 16);
  header.writeUInt32LE(cmds.length, 20);
  const code = Buffer.alloc(codeLimit);
  Buffer.concat([header, cmds]).copy(code, 0);
  blob.copy(code, blobAt);
  // CodeDirectory: 44-byte header, identifier, then one SHA-256 per page.
  const ident = Buffer.from('kubectl-cis_netpol\0', 'latin1');
  const nPages = codeLimit / PAGE;
  const hashOffset = 44 + ident.length;
  const cd = Buffer.alloc(hashOffset + nPages * 32);
  cd.writeUInt32BE(0xfade0c02, 0);
  cd.writeUInt32BE(cd.length, 4);
  cd.writeUInt32BE(0x20400, 8);
  cd.writeUInt32BE(0x2, 12); // CS_ADHOC
  cd.writeUInt32BE(hashOffset, 16);
  cd.writeUInt32BE(44, 20);
  cd.writeUInt32BE(0, 24);
  cd.writeUInt32BE(nPages, 28);
  cd.writeUInt32BE(codeLimit, 32);
  cd[36] = 32;
  cd[37] = 2;
  cd[39] = 12;
  ident.copy(cd, 44);
  for (let i = 0; i < nPages; i++) createHash('sha256').update(code.subarray(i * PAGE, (i + 1) * PAGE)).digest().copy(cd, hashOffset + i * 32);
  const sb = Buffer.alloc(20);
  sb.writeUInt32BE(0xfade0cc0, 0);
  sb.writeUInt32BE(20 + cd.length, 4);
  sb.writeUInt32BE(1, 8);
  sb.writeUInt32BE(0, 12);
  sb.writeUInt32BE(20, 16);
  const sig = Buffer.concat([sb, cd]);
  cmds.writeUInt32LE(sig.length, 164);
  Buffer.concat([header, cmds]).copy(code, 0);
  // The header changed (signature size): hash page 0 again.
  createHash('sha256').update(code.subarray(0, PAGE)).digest().copy(sig, 20 + hashOffset);
  return Buffer.concat([code, sig]);
}

describe('release: Mach-O structure and code signature checks', () => {
  const blob = Buffer.from('SEA blob stand-in '.repeat(700));
  const file = machO(blob);

  it('finds the NODE_SEA blob and accepts an ad-hoc signature whose page hashes match', () => {
    const parsed = parseMachO(file);
    assert.equal(parsed.arch, 'arm64');
    assert.deepEqual(seaBlob(file, parsed), blob);
    const sig = verifyCodeSignature(file, parsed.signature);
    assert.deepEqual([sig.adhoc, sig.cms, sig.identifier, sig.pages], [true, false, 'kubectl-cis_netpol', 5]);
  });

  it('one changed byte in a covered page fails, naming the page', () => {
    const bad = Buffer.from(file);
    bad.writeUInt8(bad.readUInt8(2 * PAGE + 5) ^ 1, 2 * PAGE + 5);
    assert.throws(() => verifyCodeSignature(bad, parseMachO(bad).signature), /page 2 .*does not match/);
  });

  it('an unsigned file fails', () => {
    assert.throws(() => verifyCodeSignature(file, null), /unsigned/);
  });
});
