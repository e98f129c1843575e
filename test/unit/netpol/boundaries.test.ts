// The evaluator is pure core: it may import other core modules and node: builtins, nothing else.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '../../../src/core/netpol');

describe('netpol boundaries', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    it(`${file} imports only src/core and node: builtins`, () => {
      const specifiers = [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);
      for (const s of specifiers) assert.ok(s.startsWith('./') || /^\.\.\/[\w-]+\.ts$/.test(s) || s.startsWith('node:'), `${file} imports ${s}`);
    });
  }
});
