// IP addresses as bigints, so that IPv4 and IPv6 share one range arithmetic.
// Written by hand because node:net validates addresses but does not turn them into numbers.

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface AddressRange {
  family: Family;
  start: bigint;
  end: bigint;
}

export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function familyMax(family: Family): bigint {
  return (1n << BigInt(familyBits(family))) - 1n;
}

function parseIPv4Value(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are rejected, as Go's net.ParseIP does: "010" is ambiguous (octal or decimal).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    groups.push(BigInt(`0x${g}`));
  }
  return groups;
}

function parseIPv6Value(text: string): bigint | undefined {
  let body = text;
  let tail: bigint[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as the last two groups.
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4Value(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >> 16n, v4 & 0xffffn];
    body = body.slice(0, lastColon);
    if (body.endsWith(':')) body += ':'; // the tail followed "::"; keep the compression marker
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 && known !== 8) return undefined;
  if (halves.length === 2 && known > 7) return undefined;
  const groups = [...head, ...Array<bigint>(8 - known).fill(0n), ...rest, ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses an IPv4 or IPv6 address; undefined when it is not one. */
export function parseIP(text: string): Address | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    const value = parseIPv6Value(t);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4Value(t);
  return value === undefined ? undefined : { family: 4, value };
}

export function formatIP(a: Address): string {
  if (a.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join('.');
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((a.value >> s) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Parses "a.b.c.d/n" or "x::/n"; host bits are masked off, as the API server's ParseCIDR does. */
export function parseCIDR(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIP(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!address || !/^[0-9]{1,3}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  const bits = familyBits(address.family);
  if (length > bits) return undefined;
  const hostMask = (1n << BigInt(bits - length)) - 1n;
  const start = address.value & ~hostMask & familyMax(address.family);
  return { family: address.family, start, end: start | hostMask };
}

export function rangeContains(r: AddressRange, a: Address): boolean {
  return r.family === a.family && r.start <= a.value && a.value <= r.end;
}

export function formatRange(r: AddressRange): string {
  const start = formatIP({ family: r.family, value: r.start });
  if (r.start === r.end) return start;
  return `${start}-${formatIP({ family: r.family, value: r.end })}`;
}

/** The fewest CIDR blocks that exactly cover the range. */
export function rangeToCIDRs(r: AddressRange): string[] {
  const bits = familyBits(r.family);
  const out: string[] = [];
  let start = r.start;
  while (start <= r.end) {
    // The largest block aligned at start that does not pass the end.
    let size = 0;
    while (size < bits) {
      const next = 1n << BigInt(size + 1);
      if (start % next !== 0n || start + next - 1n > r.end) break;
      size++;
    }
    out.push(`${formatIP({ family: r.family, value: start })}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}
