// Random Calico selector ASTs and a renderer to text with random quotes and spacing, shared by the
// parser's properties and the CNI selection properties.
import fc from 'fast-check';
import type { CalicoAst } from '../../../src/core/netpol/calico-selector.ts';

export function calicoAstArb(keys: string[], values: string[]): fc.Arbitrary<CalicoAst> {
  const keyArb = fc.constantFrom(...keys);
  const valueArb = fc.constantFrom(...values);
  return fc.letrec<{ ast: CalicoAst }>((tie) => ({
    ast: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom<CalicoAst>({ op: 'all' }, { op: 'global' }),
      keyArb.map((key): CalicoAst => ({ op: 'has', key })),
      fc.record({ op: fc.constantFrom('==', '!=', 'contains', 'starts with', 'ends with' as const), key: keyArb, value: valueArb }),
      fc.record({ op: fc.constantFrom('in', 'not in' as const), key: keyArb, values: fc.array(valueArb, { maxLength: 3 }) }),
      tie('ast').map((arg): CalicoAst => ({ op: '!', arg })),
      fc.record({ op: fc.constantFrom('&&', '||' as const), left: tie('ast'), right: tie('ast') }),
    ),
  })).ast;
}

/** Renders with quotes and spacing chosen by `pick`; every compound is parenthesised. */
export function renderCalico(ast: CalicoAst, pick: () => number = () => 0): string {
  const sp = () => ' '.repeat(pick() % 3);
  const q = (v: string) => (pick() % 2 ? `'${v}'` : `"${v}"`);
  switch (ast.op) {
    case 'all':
    case 'global':
      return `${ast.op}(${sp()})`;
    case 'has':
      return `has(${sp()}${ast.key}${sp()})`;
    case 'in':
    case 'not in':
      return `${ast.key} ${ast.op} {${sp()}${ast.values.map(q).join(`,${sp()}`)}${sp()}}`;
    case '!':
      return `!${sp()}(${renderCalico(ast.arg, pick)})`;
    case '&&':
    case '||':
      return `(${renderCalico(ast.left, pick)})${sp()}${ast.op}${sp()}(${renderCalico(ast.right, pick)})`;
    default:
      return `${ast.key}${sp()}${ast.op === '==' || ast.op === '!=' ? '' : ' '}${ast.op} ${sp()}${q(ast.value)}`;
  }
}
