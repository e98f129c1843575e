// Calico's selector expression language, parsed once into an AST and evaluated against labels.
// Follows "Selectors" in the Calico resource reference (docs.tigera.io, reference/resources/
// networkpolicy#selectors): match operators all(), global(), k == 'v', k != 'v', has(k),
// k in {..}, k not in {..}, k contains/starts with/ends with 's'; then `!`, `&&`, `||`, parentheses,
// with precedence match operators > parentheses > ! > && > ||. Strings take single or double quotes.
//
// Evaluation is three-valued so that callers can over-approximate: a label the caller cannot know
// (say a pod's service account) reads as UNKNOWN, and every operator over it yields `undefined`
// (Kleene logic). "Selected unless provably not" is then a superset of the real answer.

export type CalicoAst =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; key: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; key: string; value: string }
  | { op: 'in' | 'not in'; key: string; values: string[] }
  | { op: '!'; arg: CalicoAst }
  | { op: '&&' | '||'; left: CalicoAst; right: CalicoAst };

/** Returned by a lookup for a label whose presence and value cannot be known. */
export const UNKNOWN: unique symbol = Symbol('unknown label');
export type LabelLookup = (key: string) => string | undefined | typeof UNKNOWN;

export interface CalicoSelector {
  ok: true;
  ast: CalicoAst;
  /** Every label key the expression reads. */
  keys: string[];
  /** Two-valued, for a namespaced resource with exactly these labels (so global() is false). */
  matches(labels: Readonly<Record<string, string>>): boolean;
  /** Three-valued: `undefined` when the answer depends on an UNKNOWN label. */
  evaluate(lookup: LabelLookup): boolean | undefined;
}

export type CalicoParse = CalicoSelector | { ok: false; error: string };

// Label keys as Calico's lexer reads them: DNS prefix, slash, name characters.
const KEY = /^[A-Za-z0-9_.\/-]+/;

class ParseError extends Error {}

class Parser {
  private pos = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  parse(): CalicoAst {
    this.skip();
    // An empty selector means all() (the documented default of `selector`).
    if (this.pos === this.text.length) return { op: 'all' };
    const ast = this.or();
    this.skip();
    if (this.pos !== this.text.length) this.fail(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))}`);
    return ast;
  }

  private fail(message: string): never {
    throw new ParseError(`${message} at offset ${this.pos}`);
  }

  private skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  /** Consumes `token` (after blanks) when it comes next; words must end at a non-key character. */
  private eat(token: string, word = false): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    if (word && KEY.test(this.text.slice(this.pos + token.length, this.pos + token.length + 1))) return false;
    this.pos += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) this.fail(`expected ${JSON.stringify(token)}`);
  }

  private or(): CalicoAst {
    let left = this.and();
    while (this.eat('||')) left = { op: '||', left, right: this.and() };
    return left;
  }

  private and(): CalicoAst {
    let left = this.unary();
    while (this.eat('&&')) left = { op: '&&', left, right: this.unary() };
    return left;
  }

  private unary(): CalicoAst {
    this.skip();
    // `!` but not the start of `!=` (which can only follow a key anyway).
    if (this.text[this.pos] === '!' && this.text[this.pos + 1] !== '=') {
      this.pos++;
      return { op: '!', arg: this.unary() };
    }
    if (this.eat('(')) {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.match();
  }

  /** `name()` / `name(key)` calls are recognised before keys, as Calico's lexer does. */
  private call(name: string): boolean {
    const save = this.pos;
    if (this.eat(name) && this.eat('(')) return true;
    this.pos = save;
    return false;
  }

  private match(): CalicoAst {
    for (const op of ['all', 'global'] as const) {
      if (this.call(op)) {
        this.expect(')');
        return { op };
      }
    }
    if (this.call('has')) {
      const key = this.key();
      this.expect(')');
      return { op: 'has', key };
    }
    const key = this.key();
    if (this.eat('==')) return { op: '==', key, value: this.string() };
    if (this.eat('!=')) return { op: '!=', key, value: this.string() };
    if (this.eat('in', true)) return { op: 'in', key, values: this.set() };
    if (this.eat('not', true)) {
      if (!this.eat('in', true)) this.fail('expected "in" after "not"');
      return { op: 'not in', key, values: this.set() };
    }
    if (this.eat('contains', true)) return { op: 'contains', key, value: this.string() };
    for (const op of ['starts', 'ends'] as const) {
      if (this.eat(op, true)) {
        if (!this.eat('with', true)) this.fail(`expected "with" after "${op}"`);
        return { op: `${op} with`, key, value: this.string() };
      }
    }
    return this.fail(`expected an operator after label ${JSON.stringify(key)}`);
  }

  private key(): string {
    this.skip();
    const m = KEY.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a label key');
    this.pos += m[0].length;
    return m[0];
  }

  private string(): string {
    this.skip();
    const quote = this.text[this.pos];
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted string');
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('unterminated string');
    const value = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private set(): string[] {
    this.expect('{');
    const values: string[] = [];
    if (this.eat('}')) return values;
    do values.push(this.string());
    while (this.eat(','));
    this.expect('}');
    return values;
  }
}

function keysOf(ast: CalicoAst, into: Set<string>): Set<string> {
  if ('key' in ast) into.add(ast.key);
  if (ast.op === '!') keysOf(ast.arg, into);
  if (ast.op === '&&' || ast.op === '||') keysOf(ast.right, keysOf(ast.left, into));
  return into;
}

/** Kleene logic: `undefined` is "unknown". */
export function evaluateAst(ast: CalicoAst, lookup: LabelLookup): boolean | undefined {
  switch (ast.op) {
    case 'all':
      return true;
    case 'global':
      return false; // only non-namespaced resources; every target here lives in a namespace
    case '!': {
      const v = evaluateAst(ast.arg, lookup);
      return v === undefined ? undefined : !v;
    }
    case '&&': {
      const l = evaluateAst(ast.left, lookup);
      if (l === false) return false;
      const r = evaluateAst(ast.right, lookup);
      return r === false ? false : l && r;
    }
    case '||': {
      const l = evaluateAst(ast.left, lookup);
      if (l === true) return true;
      const r = evaluateAst(ast.right, lookup);
      return r === true ? true : l === undefined || r === undefined ? undefined : false;
    }
  }
  const v = lookup(ast.key);
  if (v === UNKNOWN) return undefined;
  switch (ast.op) {
    case 'has':
      return v !== undefined;
    case '==':
      return v === ast.value;
    case '!=': // documented: also matches resources without the label
      return v !== ast.value;
    case 'in':
      return v !== undefined && ast.values.includes(v);
    case 'not in': // documented: also matches resources without the label
      return v === undefined || !ast.values.includes(v);
    case 'contains':
      return v !== undefined && v.includes(ast.value);
    case 'starts with':
      return v !== undefined && v.startsWith(ast.value);
    case 'ends with':
      return v !== undefined && v.endsWith(ast.value);
  }
}

export function parseCalicoSelector(text: string): CalicoParse {
  let ast: CalicoAst;
  try {
    ast = new Parser(text).parse();
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.message };
    throw e;
  }
  return {
    ok: true,
    ast,
    keys: [...keysOf(ast, new Set())],
    matches: (labels) => evaluateAst(ast, (k) => (Object.hasOwn(labels, k) ? labels[k] : undefined)) === true,
    evaluate: (lookup) => evaluateAst(ast, lookup),
  };
}
