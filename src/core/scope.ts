// Which namespaces a run looks at, and why each other one is skipped. Pure.
import type { Namespace } from './model.ts';
import { compileGlob, type Glob } from './glob.ts';

export interface ScopeOptions {
  /** -n: explicit namespaces; empty means all. */
  namespaces: string[];
  /** --exclude globs. */
  exclude: string[];
  includeSystem: boolean;
}

export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];
export const SYSTEM_PATTERNS = ['kube-*', 'openshift-*', 'calico-*'];

export type SkipReason =
  | { kind: 'system'; rule: string; message: string }
  | { kind: 'excluded'; rule: string; message: string }
  | { kind: 'terminating'; message: string };

export interface Scope {
  options: ScopeOptions;
  /** Undefined when the namespace is in scope. */
  skipReason(ns: Namespace): SkipReason | undefined;
}

export function makeScope(options: ScopeOptions): Scope {
  const system = [...SYSTEM_NAMESPACES, ...SYSTEM_PATTERNS].map((p) => compileGlob(p));
  const exclude: Glob[] = options.exclude.map((p) => compileGlob(p));
  return {
    options,
    skipReason(ns) {
      const name = ns.metadata.name;
      const ex = exclude.find((g) => g.test(name));
      if (ex) return { kind: 'excluded', rule: ex.source, message: `Excluded (--exclude ${ex.source})` };
      if (!options.includeSystem) {
        const sys = system.find((g) => g.test(name));
        if (sys) return { kind: 'system', rule: sys.source, message: `System namespace (matches ${sys.source}; use --include-system to check it)` };
      }
      if (ns.phase === 'Terminating') return { kind: 'terminating', message: 'Namespace is terminating (being deleted; takes no new objects)' };
      return undefined;
    },
  };
}
