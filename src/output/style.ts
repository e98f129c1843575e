// Colour only when asked for (a terminal, no --no-color, no NO_COLOR); machine output never has it.
export interface Style {
  color: boolean;
}

const CODES: Record<string, number> = { green: 32, red: 31, yellow: 33, cyan: 36, bold: 1 };

export function paint(style: Style, colour: keyof typeof CODES, text: string): string {
  return style.color ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

const STATUS_COLOURS: Record<string, keyof typeof CODES> = {
  PASS: 'green', FIXED: 'green', REMOVED: 'green', PLANNED: 'cyan', ALLOWED: 'green',
  FAIL: 'red', FAILED: 'red', ERROR: 'red', DENIED: 'red', UNKNOWN: 'red',
  SKIPPED: 'yellow', KEPT: 'yellow', COVERED: 'cyan', EXEMPT: 'yellow',
};

export function status(style: Style, s: string, width = 0): string {
  const padded = s.padEnd(width);
  const c = STATUS_COLOURS[s];
  return c ? paint(style, c, padded) : padded;
}
