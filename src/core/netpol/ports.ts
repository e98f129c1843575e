// Sets of ports as sorted, disjoint, non-adjacent inclusive ranges. The exact comparison works on
// whole sets, so a verdict for "all ports" costs as much as one for a single port.

export interface PortRange {
  from: number;
  to: number;
}

/** Sorted, disjoint and non-adjacent: two sets are equal exactly when their arrays are. */
export type PortSet = readonly PortRange[];

// Port 0 is not a connectable port; the API accepts 1-65535.
export const MIN_PORT = 1;
export const MAX_PORT = 65535;
export const ALL_PORTS: PortSet = [{ from: MIN_PORT, to: MAX_PORT }];
export const NO_PORTS: PortSet = [];

export function portSet(ranges: readonly PortRange[]): PortSet {
  const clipped = ranges
    .map((r) => ({ from: Math.max(MIN_PORT, r.from), to: Math.min(MAX_PORT, r.to) }))
    .filter((r) => r.from <= r.to)
    .sort((a, b) => a.from - b.from);
  const out: PortRange[] = [];
  for (const r of clipped) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

export function union(a: PortSet, b: PortSet): PortSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return portSet([...a, ...b]);
}

export function intersect(a: PortSet, b: PortSet): PortSet {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const from = Math.max(x.from, y.from);
    const to = Math.min(x.to, y.to);
    if (from <= to) out.push({ from, to });
    if (x.to < y.to) i++;
    else j++;
  }
  return out;
}

export function complement(a: PortSet): PortSet {
  const out: PortRange[] = [];
  let next = MIN_PORT;
  for (const r of a) {
    if (r.from > next) out.push({ from: next, to: r.from - 1 });
    next = r.to + 1;
  }
  if (next <= MAX_PORT) out.push({ from: next, to: MAX_PORT });
  return out;
}

export function subtract(a: PortSet, b: PortSet): PortSet {
  if (a.length === 0 || b.length === 0) return a;
  return intersect(a, complement(b));
}

export function hasPort(s: PortSet, port: number): boolean {
  return s.some((r) => r.from <= port && port <= r.to);
}

export function isAllPorts(s: PortSet): boolean {
  return s.length === 1 && s[0]!.from === MIN_PORT && s[0]!.to === MAX_PORT;
}

export function formatPorts(s: PortSet): string {
  if (isAllPorts(s)) return 'all ports';
  return s.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(', ');
}
