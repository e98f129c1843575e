// kubectl-style tables: upper-case headers, columns separated by spaces, no borders.
import Table from 'cli-table3';

const BLANK = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ',
};

export function table(head: string[], rows: string[][]): string {
  // style emptied: cli-table3 would otherwise emit colour codes even on a pipe.
  const t = new Table({ head, chars: BLANK, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const r of rows) t.push(r);
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}
