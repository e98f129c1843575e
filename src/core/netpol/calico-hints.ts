// Pod labels a future pod may carry for a Calico selector to pick it, so that the proof's stand-ins
// for future pods (proof.ts) include one the policy selects. A small search: each free pod-label
// key of the expression is absent, one of the values the expression names, or a fresh value;
// namespace-derived keys (projectcalico.org/*, pcns.*) are left unknown (they depend on the
// target namespace, which the stand-in takes from its target). Fewest labels first.
import { parseCalicoSelector, UNKNOWN, type CalicoAst } from './calico-selector.ts';

const MAX_KEYS = 5;
const fixed = (k: string) => k.startsWith('projectcalico.org/') || k.startsWith('pcns.') || k.startsWith('pcsa.');

function values(ast: CalicoAst, key: string, out: Set<string>): void {
  if ('key' in ast && ast.key === key) {
    if ('value' in ast) out.add(ast.value);
    if ('values' in ast) for (const v of ast.values) out.add(v);
  }
  if ('arg' in ast) values(ast.arg, key, out);
  if ('left' in ast) {
    values(ast.left, key, out);
    values(ast.right, key, out);
  }
}

export function calicoHints(raw: unknown, out: string[]): Record<string, string>[] {
  if (typeof raw !== 'string' || raw.trim() === '') return [{}];
  const s = parseCalicoSelector(raw);
  if (!s.ok) return [{}];
  const keys = s.keys.filter((k) => !fixed(k));
  if (keys.length > MAX_KEYS) {
    out.push(`selector ${JSON.stringify(raw)} has too many labels to stand in for future pods`);
    return [{}];
  }
  const choices = keys.map((k) => {
    const vs = new Set<string>();
    values(s.ast, k, vs);
    return [undefined, ...vs, 'x-fresh'];
  });
  const found: Record<string, string>[] = [];
  const walk = (i: number, labels: Record<string, string>) => {
    if (found.length > 0 && Object.keys(labels).length > Object.keys(found[0]!).length) return;
    if (i === keys.length) {
      if (s.evaluate((k) => (fixed(k) ? UNKNOWN : Object.hasOwn(labels, k) ? labels[k] : undefined)) !== false) found.push({ ...labels });
      return;
    }
    for (const v of choices[i]!) walk(i + 1, v === undefined ? labels : { ...labels, [keys[i]!]: v });
  };
  walk(0, {});
  return found.slice(0, 1);
}
