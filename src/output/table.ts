// kubectl-style tables: upper-case headers, columns separated by spaces, no borders.
import Table from 'cli-table3';

const BLANK = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ',
};
const GAP = BLANK.middle;

/** Printable ASCII only: one character is one column, no colour codes, no line breaks. */
const PLAIN = /^[\x20-\x7e]*$/;

export function table(head: string[], rows: string[][]): string {
  return [head, ...rows].every((r) => r.length === head.length && r.every((c) => PLAIN.test(c))) ? plainTable(head, rows) : cliTable(head, rows);
}

/** The table as cli-table3 lays it out: colour codes and wide characters measured right. */
export function cliTable(head: string[], rows: string[][]): string {
  // style emptied: cli-table3 would otherwise emit colour codes even on a pipe.
  const t = new Table({ head, chars: BLANK, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const r of rows) t.push(r);
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/**
 * What cliTable prints for plain cells (a test compares them), without its per-cell width
 * measurement: ~70 ms of CPU for an audit of 100 namespaces (docs/release.md, "Start-up, round two").
 */
function plainTable(head: string[], rows: string[][]): string {
  // cli-table3 gives a column of empty cells one column of width.
  const widths = head.map((_, i) => [head, ...rows].reduce((w, r) => Math.max(w, r[i]!.length), 1));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(GAP).trimEnd()).join('\n');
}
