// Reading container images and command-line flags as the programs themselves would.

/** registry/path:tag@digest → its path without registry, tag and digest ("calico/node"). */
export function imagePath(image: string): string {
  let rest = image.split('@')[0] ?? '';
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) rest = rest.slice(0, colon);
  const parts = rest.split('/');
  // The first part is a registry when it has a dot or a port, or is localhost.
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  return parts.join('/');
}

/** The last path segment: "cilium" for quay.io/cilium/cilium:v1.18.0. */
export function imageName(image: string): string {
  return imagePath(image).split('/').at(-1) ?? '';
}

export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0] ?? '';
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

/**
 * The value of --name in args (Go flag style: --name=v, -name=v, --name v; a bare boolean flag is
 * "true"). Arguments holding a whole shell command line (sh -c "exec agent --x=y") are split on
 * spaces first. Like the flag parsers, the last occurrence wins.
 */
export function flagValue(args: string[], name: string, bool = false): string | undefined {
  const words = args.flatMap((a) => a.split(/\s+/)).filter((w) => w !== '');
  let value: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(words[i] ?? '');
    if (!m || m[1] !== name) continue;
    if (m[2] !== undefined) value = m[2];
    else if (bool) value = 'true';
    else if (i + 1 < words.length && !(words[i + 1] ?? '').startsWith('-')) value = words[++i];
  }
  return value;
}

/** Go's strconv.ParseBool, which the flag packages use. */
export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  return undefined;
}
