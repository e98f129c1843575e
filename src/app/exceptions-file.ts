// The exceptions file (--exceptions FILE, or EXCEPTIONS_FILE for the runner wrappers):
//
//   apiVersion: cis-netpol.io/v1
//   kind: NetworkPolicyExceptions
//   exceptions:
//   - namespace: legacy-*          # a name or a glob (*, ?)
//     reason: vendor appliance, no pod network
//     owner: platform@example.com
//     until: 2027-03-31            # YYYY-MM-DD (through that day, UTC) or an RFC 3339 timestamp
//
// Each entry keeps the line it starts on, so an expired or malformed one is named as file:line.
// A file that cannot be read as such at all is a usage error (exit 2): nothing can be judged with it.
import * as yaml from 'js-yaml';
import { UsageError } from '../core/errors.ts';
import { EXCEPTIONS_API_VERSION, EXCEPTIONS_KIND, problemsOf, type ExceptionRule } from '../core/exceptions.ts';

const GLOB = /^[a-z0-9*?-]+$/;
const FIELDS = new Set(['namespace', 'reason', 'owner', 'until']);

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The start offset of every item of the top-level `exceptions:` sequence, from js-yaml's event
 * stream (the loaded objects carry no positions).
 */
function itemOffsets(text: string, file: string): number[] {
  const events = yaml.parseEvents(text, { filename: file });
  const out: number[] = [];
  // Per open collection: its kind, whether the next mapping entry is a key, and whether it is the
  // exceptions sequence. Scalars and collections both count as one key or value.
  const stack: { mapping: boolean; expectKey: boolean; lastKey?: string; isExceptions: boolean }[] = [];
  const consumed = () => {
    const top = stack.at(-1);
    if (top?.mapping) top.expectKey = !top.expectKey;
  };
  for (const e of events) {
    const top = stack.at(-1);
    if (e.type === yaml.EVENT_ID.SCALAR) {
      if (top?.mapping && top.expectKey) top.lastKey = yaml.getScalarValue(text, e);
      if (top?.isExceptions) out.push(e.valueStart);
      consumed();
    } else if (e.type === yaml.EVENT_ID.MAPPING || e.type === yaml.EVENT_ID.SEQUENCE) {
      if (top?.isExceptions) out.push(e.start);
      const isExceptions = e.type === yaml.EVENT_ID.SEQUENCE && stack.length === 1 && top?.mapping === true && !top.expectKey && top.lastKey === 'exceptions';
      stack.push({ mapping: e.type === yaml.EVENT_ID.MAPPING, expectKey: true, isExceptions });
    } else if (e.type === yaml.EVENT_ID.POP) {
      if (stack.length > 0) {
        stack.pop();
        consumed();
      }
    } else if (e.type === yaml.EVENT_ID.ALIAS) {
      if (top?.isExceptions) out.push(e.anchorStart);
      consumed();
    }
  }
  return out;
}

function text(v: unknown): string {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().replace(/T00:00:00\.000Z$/, '');
  return v === undefined || v === null ? '' : String(v);
}

export function parseExceptionsFile(source: string, file: string): ExceptionRule[] {
  let doc: unknown;
  let offsets: number[];
  try {
    doc = yaml.load(source, { filename: file });
    offsets = itemOffsets(source, file);
  } catch (err) {
    const mark = (err as { mark?: { line: number } }).mark;
    const where = mark ? `${file}:${mark.line + 1}` : file;
    throw new UsageError(`cannot read exceptions file ${where}: ${(err as { reason?: string }).reason ?? (err as Error).message}`, 'fix the YAML syntax');
  }
  const hint = `start the file with "apiVersion: ${EXCEPTIONS_API_VERSION}" and "kind: ${EXCEPTIONS_KIND}", then an "exceptions:" list`;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`exceptions file ${file}:1 is not a YAML mapping`, hint);
  const d = doc as Record<string, unknown>;
  if (d['apiVersion'] !== EXCEPTIONS_API_VERSION || d['kind'] !== EXCEPTIONS_KIND) {
    throw new UsageError(`exceptions file ${file}:1 has apiVersion "${text(d['apiVersion'])}" and kind "${text(d['kind'])}", not ${EXCEPTIONS_API_VERSION} ${EXCEPTIONS_KIND}`, hint);
  }
  const list = d['exceptions'] ?? [];
  if (!Array.isArray(list)) throw new UsageError(`exceptions file ${file}: "exceptions" is not a list`, hint);
  return list.map((raw, i): ExceptionRule => {
    const line = lineAt(source, offsets[i] ?? 0);
    const where = `${file}:${line}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`exception at ${where} is not a mapping`, 'each entry needs namespace, reason, owner and until');
    const e = raw as Record<string, unknown>;
    const namespace = text(e['namespace']);
    if (!GLOB.test(namespace)) {
      throw new UsageError(`exception at ${where} has ${namespace ? `an invalid namespace "${namespace}"` : 'no namespace'}`, 'give a namespace name or glob of lowercase letters, digits, "-", "*" and "?"');
    }
    const rule = { namespace, reason: text(e['reason']), owner: text(e['owner']), until: text(e['until']) };
    const unknown = Object.keys(e).filter((k) => !FIELDS.has(k)).map((k) => `unknown field "${k}" (fields: namespace, reason, owner, until)`);
    return { ...rule, source: { kind: 'file', file, line }, problems: [...problemsOf(rule, { reason: 'reason', owner: 'owner', until: 'until' }), ...unknown] };
  });
}
