// One dependency direction: the pure core imports nothing from the CLI, the app, the cluster code
// or the output, and no npm package except as `import type` (the sources are scanned as text).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CORE = path.join(ROOT, 'src', 'core');
const FORBIDDEN_LAYERS = ['cli', 'app', 'kube', 'output'].map((d) => path.join(ROOT, 'src', d));

interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Static imports and re-exports (also multi-line), side-effect imports, import() and require(). */
function importsOf(file: string, text: string): Import[] {
  const src = stripComments(text);
  const out: Import[] = [];
  for (const m of src.matchAll(/(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g)) {
    const clause = m[3] ?? '';
    // `import { type A, type B } from` is type-only as well; `import { type A, B }` is not.
    const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
    const allTyped = braces !== null && braces[1]!.split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '));
    out.push({ file, specifier: m[4]!, typeOnly: m[2] !== undefined || allTyped });
  }
  for (const m of src.matchAll(/(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g)) out.push({ file, specifier: m[1]!, typeOnly: false });
  for (const m of src.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ file, specifier: m[1]!, typeOnly: false });
  return out;
}

describe('architecture: the core depends on nothing outside it', () => {
  const files = sourceFiles(CORE);
  const imports = files.flatMap((f) => importsOf(f, fs.readFileSync(f, 'utf8')));
  const rel = (i: Import) => `${path.relative(ROOT, i.file)} → ${i.specifier}`;

  it('there are core sources to check (the scanner finds their imports)', () => {
    assert.ok(files.length >= 10, `only ${files.length} files under src/core`);
    assert.ok(imports.some((i) => i.specifier === './model.ts'));
  });

  it('no import from src/cli, src/app, src/kube or src/output (types included)', () => {
    const bad = imports.filter((i) => i.specifier.startsWith('.')).filter((i) => {
      const target = path.resolve(path.dirname(i.file), i.specifier);
      return FORBIDDEN_LAYERS.some((layer) => target === layer || target.startsWith(layer + path.sep)) || !target.startsWith(CORE + path.sep);
    });
    assert.deepEqual(bad.map(rel), []);
  });

  it('no npm package or Node built-in at run time; packages only as `import type`', () => {
    const bad = imports.filter((i) => !i.specifier.startsWith('.') && !i.typeOnly);
    assert.deepEqual(bad.map(rel), []);
  });

  describe('the scanner itself', () => {
    const cases: [what: string, text: string, expected: [string, boolean][]][] = [
      ['a value import', "import { a } from 'pkg';", [['pkg', false]]],
      ['a type import', "import type { A } from 'pkg';", [['pkg', true]]],
      ['inline type-only specifiers', "import { type A, type B } from 'pkg';", [['pkg', true]]],
      ['mixed specifiers', "import { type A, b } from 'pkg';", [['pkg', false]]],
      ['multi-line', "import type {\n  A,\n  B,\n} from '../cli/x.ts';", [['../cli/x.ts', true]]],
      ['default and namespace imports', "import fs from 'node:fs';\nimport * as y from 'js-yaml';", [['node:fs', false], ['js-yaml', false]]],
      ['a re-export', "export { a } from './a.ts';\nexport type { B } from './b.ts';", [['./a.ts', false], ['./b.ts', true]]],
      ['side effects, import() and require()', "import 'pkg';\nconst m = await import('other');\nconst r = require('third');", [['pkg', false], ['other', false], ['third', false]]],
      ['comments are not imports', "// import x from 'a';\n/* import y from 'b'; */\nconst s = 1;", []],
    ];
    for (const [what, text, expected] of cases) {
      it(what, () => assert.deepEqual(importsOf('f.ts', text).map((i) => [i.specifier, i.typeOnly]).sort(), [...expected].sort()));
    }
  });
});
