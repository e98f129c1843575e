// Calico selector expressions: the documented operators one row each, parse errors, and a property
// that parsing a rendered AST gives back exactly the AST's own meaning.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCalicoSelector, UNKNOWN, type CalicoAst } from '../../../src/core/netpol/calico-selector.ts';
import { calicoAstArb, renderCalico } from './calico-arbitraries.ts';

const KEYS = ['app', 'tier', 'example.com/team', 'k-1_x'];
const VALUES = ['', 'a', 'b', 'ab', 'web'];
const keyArb = fc.constantFrom(...KEYS);
const valueArb = fc.constantFrom(...VALUES);
const astArb = calicoAstArb(KEYS, VALUES);
const render = renderCalico;

const labels = { app: 'web', tier: 'frontend', 'projectcalico.org/namespace': 'shop', 'example.com/team': 'blue-team' };

describe('calico selector: documented operators', () => {
  const table: [string, boolean][] = [
    ['', true],
    ['   ', true],
    ['all()', true],
    ['all( )', true],
    ['!all()', false],
    ['global()', false],
    ['!global()', true],
    ["app == 'web'", true],
    ['app == "web"', true],
    ["app == 'db'", false],
    ["missing == 'x'", false],
    ["app != 'db'", true],
    ["app != 'web'", false],
    ["missing != 'x'", true], // != matches resources without the label
    ['has(app)', true],
    ['has( app )', true],
    ['!has(app)', false],
    ['!has(missing)', true],
    ["tier in {'frontend', 'backend'}", true],
    ["tier in {'backend'}", false],
    ['tier in {}', false],
    ["missing in {'a'}", false],
    ["tier not in {'backend'}", true],
    ["tier not in {'frontend'}", false],
    ["missing not in {'a'}", true], // not in matches resources without the label
    ["example.com/team contains 'blue'", true],
    ["example.com/team contains 'red'", false],
    ["missing contains ''", false],
    ["app starts with 'we'", true],
    ["app starts with 'eb'", false],
    ["app ends with 'eb'", true],
    ["app ends with 'we'", false],
    ["projectcalico.org/namespace == 'shop'", true],
    ["has(app) && app in {'web','api'}", true],
    ["has(app) && app in {'db','api'}", false],
    ["!(app == 'web')", false],
    ["!(app == 'db')", true],
    ["app == 'db' || tier == 'frontend'", true],
    ["app == 'db' || tier == 'backend'", false],
    // Precedence from the docs: ! binds tighter than &&, && tighter than ||.
    ["!has(app) || app starts with 'w' && tier in {'frontend','business'}", true],
    ["app == 'db' && tier == 'x' || app == 'web'", true],
    ["app == 'web' || app == 'db' && tier == 'x'", true],
    ["(app == 'web' || app == 'db') && tier == 'x'", false],
    ["!!has(app)", true],
    ["all() && !global()", true],
    ["all == 'x'", false], // `all` without parentheses is a label key
    ["hasty == 'x' || has(tier)", true],
  ];
  for (const [text, expected] of table) {
    it(`${JSON.stringify(text)} -> ${expected}`, () => {
      const s = parseCalicoSelector(text);
      assert.ok(s.ok, s.ok ? '' : s.error);
      assert.equal(s.matches(labels), expected);
    });
  }
});

describe('calico selector: parse errors', () => {
  const bad = [
    'app',
    "app = 'web'",
    "app == web",
    "app == 'web",
    "app in 'web'",
    "app in {'a',}",
    "app in {'a' 'b'}",
    "app not {'a'}",
    "app starts 'a'",
    "app ends  'a'",
    'has(app',
    'has()',
    'all(',
    "(app == 'a'",
    "app == 'a')",
    "app == 'a' &&",
    "|| app == 'a'",
    "app == 'a' & tier == 'b'",
    "app == 'a' tier == 'b'",
    '!',
    '()',
  ];
  for (const text of bad) {
    it(`${JSON.stringify(text)} is rejected with a position`, () => {
      const s = parseCalicoSelector(text);
      assert.equal(s.ok, false);
      if (!s.ok) assert.match(s.error, /at offset \d+/);
    });
  }
});

describe('calico selector: three-valued evaluation', () => {
  const unknownTeam = (k: string) => (k === 'team' ? UNKNOWN : (labels as Record<string, string>)[k]);
  const table: [string, boolean | undefined][] = [
    ["team == 'a'", undefined],
    ["!(team == 'a')", undefined],
    ["team == 'a' && app == 'db'", false],
    ["team == 'a' || app == 'web'", true],
    ["team == 'a' || app == 'db'", undefined],
    ["team == 'a' && app == 'web'", undefined],
  ];
  for (const [text, expected] of table) {
    it(`${text} with team unknown -> ${expected}`, () => {
      const s = parseCalicoSelector(text);
      assert.ok(s.ok);
      assert.equal(s.evaluate(unknownTeam), expected);
      assert.deepEqual(s.keys.includes('team'), true);
    });
  }
});

// ----- property: parse(render(ast)) means what the AST means ----------------------------------

/** The meaning of an AST, written independently of the parser's evaluator. */
function meaning(ast: CalicoAst, l: Record<string, string>): boolean {
  const v = 'key' in ast ? l[ast.key] : undefined;
  switch (ast.op) {
    case 'all': return true;
    case 'global': return false;
    case 'has': return v !== undefined;
    case '==': return v === ast.value;
    case '!=': return v !== ast.value;
    case 'in': return v !== undefined && ast.values.includes(v);
    case 'not in': return !(v !== undefined && ast.values.includes(v));
    case 'contains': return v !== undefined && v.indexOf(ast.value) >= 0;
    case 'starts with': return v !== undefined && v.slice(0, ast.value.length) === ast.value;
    case 'ends with': return v !== undefined && v.length >= ast.value.length && v.slice(v.length - ast.value.length) === ast.value;
    case '!': return !meaning(ast.arg, l);
    case '&&': return meaning(ast.left, l) && meaning(ast.right, l);
    case '||': return meaning(ast.left, l) || meaning(ast.right, l);
  }
}

const labelsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 4 });

describe('calico selector: properties', () => {
  it('parse(render(ast)).matches equals the AST evaluated directly', () => {
    fc.assert(
      fc.property(astArb, labelsArb, fc.infiniteStream(fc.nat(5)), (ast, l, stream) => {
        const it = stream[Symbol.iterator]();
        const text = render(ast, () => it.next().value as number);
        const s = parseCalicoSelector(text);
        assert.ok(s.ok, `${text}: ${s.ok ? '' : s.error}`);
        assert.equal(s.matches(l), meaning(ast, l), text);
      }),
      { numRuns: 500 },
    );
  });

  it('an UNKNOWN label never turns a possible match into false', () => {
    // For every value the unknown label could take, a true answer must not be reported false.
    fc.assert(
      fc.property(astArb, labelsArb, keyArb, fc.option(valueArb, { nil: undefined }), (ast, l, hidden, actual) => {
        const s = parseCalicoSelector(render(ast, () => 0));
        assert.ok(s.ok);
        const full: Record<string, string> = { ...l };
        delete full[hidden];
        if (actual !== undefined) full[hidden] = actual;
        const three = s.evaluate((k) => (k === hidden ? UNKNOWN : Object.hasOwn(full, k) ? full[k] : undefined));
        if (three !== undefined) assert.equal(three, meaning(ast, full));
        if (meaning(ast, full)) assert.notEqual(three, false);
      }),
      { numRuns: 500 },
    );
  });
});
