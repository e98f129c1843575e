// Namespace-name globs: `*` any run of characters, `?` one character. Pure.
import { UsageError } from './errors.ts';

export interface Glob {
  source: string;
  test(name: string): boolean;
}

const ALLOWED = /^[a-z0-9*?-]+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function compileGlob(pattern: string): Glob {
  if (!ALLOWED.test(pattern)) {
    throw new UsageError(`invalid glob "${pattern}": namespace globs may use lowercase letters, digits, "-", "*" and "?"`, 'example: --exclude "team-*"');
  }
  const re = new RegExp(`^${pattern.replace(/[*?]/g, (c) => (c === '*' ? '.*' : '.'))}$`);
  return { source: pattern, test: (name) => re.test(name) };
}

export function checkNamespaceName(name: string): void {
  if (name.length > 63 || !DNS_LABEL.test(name)) {
    throw new UsageError(`invalid namespace name "${name}": must be a DNS label (lowercase letters, digits and "-", at most 63 characters)`, 'check the value given to -n/--namespace');
  }
}
