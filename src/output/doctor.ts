// kubectl cis-netpol doctor: one line per check, what to do under it.
import type { DoctorReport } from '../core/doctor.ts';
import { paint, type Style } from './style.ts';

const COLOUR = { OK: 'green', WARN: 'yellow', FAIL: 'red' } as const;

export function renderDoctor(r: DoctorReport, style: Style): string {
  const width = Math.max(...r.checks.map((c) => c.check.length));
  const lines: string[] = [];
  for (const c of r.checks) {
    lines.push(`${paint(style, COLOUR[c.status], `[${c.status}]`.padEnd(6))} ${c.check.padEnd(width)}  ${c.detail}`);
    if (c.next) lines.push(`${' '.repeat(7 + width + 2)}next: ${c.next}`);
  }
  const count = (s: string) => r.checks.filter((c) => c.status === s).length;
  lines.push('', `${count('OK')} OK, ${count('WARN')} WARN, ${count('FAIL')} FAIL`);
  return `${lines.join('\n')}\n`;
}
