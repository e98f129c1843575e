// The guide's per-namespace line: `[+] production                          FIXED      Policy applied successfully`.
import { status, type Style } from './style.ts';

const MARKS: Record<string, string> = {
  FIXED: '[+]', PLANNED: '[+]', PASS: '[✓]', SKIPPED: '[✓]', EXEMPT: '[✓]', REMOVED: '[-]', KEPT: '[✓]',
  FAILED: '[✗]', ERROR: '[✗]', UNKNOWN: '[?]',
};

export function resultLine(style: Style, name: string, s: string, reason: string, nameWidth: number): string {
  return `${MARKS[s] ?? '[*]'} ${name.padEnd(nameWidth)}  ${status(style, s, 10)} ${reason}`;
}

export function nameWidth(names: string[]): number {
  return Math.max(34, ...names.map((n) => n.length));
}

export function banner(title: string, timestamp: string): string[] {
  const rule = '='.repeat(80);
  return ['', rule, title, rule, `Timestamp: ${timestamp}`, ''];
}

export function stat(label: string, value: number | string): string {
  return `  ${`${label}:`.padEnd(32)}${value}`;
}
