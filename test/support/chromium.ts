// Headless Chromium (Debian's `chromium`, installed by scripts/setup): render a page, screenshot
// it, and read the DOM as the browser parsed it. Missing Chromium is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions'];

function chromium(args: string[]): string {
  // A fresh profile each time: nothing cached or shared with another run.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-netpol-chromium-'));
  try {
    const r = spawnSync(process.env['CHROMIUM'] ?? 'chromium', [...FLAGS, `--user-data-dir=${profile}`, ...args], { encoding: 'utf8', timeout: 90_000 });
    if (r.error) throw new Error(`cannot run chromium (${r.error.message}): run scripts/setup, which installs Debian's chromium`);
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM after parsing (and after any script, of which our pages have none). */
export function renderedDom(file: string): string {
  return chromium(['--dump-dom', `file://${file}`]);
}

/** A PNG screenshot; returns its width and height from the IHDR chunk. */
export function screenshot(file: string, png: string): { width: number; height: number } {
  chromium(['--window-size=1280,900', `--screenshot=${png}`, `file://${file}`]);
  const b = fs.readFileSync(png);
  if (b.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error(`${png} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
