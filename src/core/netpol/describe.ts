// Human text for sets of addresses. Exact ranges stay in the data; the text aims to be short:
// "0.0.0.0/0 except 10.0.0.0/8, outside pod IPs" rather than forty CIDR blocks.
import { rangeToCIDRs, type AddressRange } from './ip.ts';

const MAX_LISTED = 6;

function lowerBound(sorted: readonly bigint[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when every address from start to end is one of the sorted points. */
function allPoints(points: readonly bigint[], start: bigint, end: bigint): boolean {
  const count = BigInt(lowerBound(points, end + 1n) - lowerBound(points, start));
  return count === end - start + 1n;
}

function listed(cidrs: string[]): string {
  if (cidrs.length <= MAX_LISTED) return cidrs.join(', ');
  return `${cidrs.slice(0, MAX_LISTED - 1).join(', ')}, … (${cidrs.length} blocks)`;
}

export interface RangeText {
  text: string;
  /** True when gaps made only of the given points were bridged; the caller says what they were. */
  bridged: boolean;
}

/**
 * Describes sorted, disjoint ranges of one family. Gaps that consist only of `points` (pod or node
 * addresses, reported elsewhere) are bridged, so the whole space reads as "0.0.0.0/0".
 */
export function describeRanges(ranges: readonly AddressRange[], points: readonly bigint[]): RangeText {
  const first = ranges[0];
  if (!first) return { text: 'no addresses', bridged: false };
  const merged: AddressRange[] = [{ ...first }];
  let bridged = false;
  for (const r of ranges.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (r.start <= last.end + 1n) {
      last.end = r.end > last.end ? r.end : last.end;
    } else if (allPoints(points, last.end + 1n, r.start - 1n)) {
      last.end = r.end;
      bridged = true;
    } else {
      merged.push({ ...r });
    }
  }
  const direct = merged.flatMap(rangeToCIDRs);
  const hull = rangeToCIDRs({ family: first.family, start: merged[0]!.start, end: merged[merged.length - 1]!.end });
  const holes = merged.slice(1).flatMap((r, i) => rangeToCIDRs({ family: first.family, start: merged[i]!.end + 1n, end: r.start - 1n }));
  // "hull except holes" reads better when the hull is one block and the holes are few.
  if (hull.length === 1 && holes.length > 0 && 1 + holes.length < direct.length) {
    return { text: `${hull[0]} except ${listed(holes)}`, bridged };
  }
  return { text: listed(direct), bridged };
}
