// RFC 3339 with microseconds: the format of a Lease's MicroTime fields (acquireTime, renewTime).
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
