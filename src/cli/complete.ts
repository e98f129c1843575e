// Shell completion in cobra's `__complete` protocol, which kubectl (>= 1.26) speaks with plugins:
// `kubectl cis-netpol audit -n pro<TAB>` runs `kubectl_complete-cis_netpol audit -n pro`, which runs
// `kubectl-cis_netpol __complete audit -n pro`. The answer is one candidate per line (value, tab,
// description) and a last line `:<directive>`.
//
// Commands and flags come from the commands' own yargs definitions (their builders run against a
// recorder, without yargs), so a new command or flag is completed without touching this file.
// Namespace names come from the cluster and context names from the kubeconfig, both quietly: any
// error gives no candidates, never a message (stderr would land in the user's prompt).
import type { Argv } from 'yargs';
import type { Command } from './command.ts';
import { globalOptions } from './flags.ts';
import type { IO } from './io.ts';

/** cobra's ShellCompDirective bits. */
export const DIRECTIVE = { default: 0, noSpace: 2, noFileComp: 4 } as const;

/** How long completion waits for the API server before it gives up (silently). */
const CLUSTER_TIMEOUT_MS = 3000;

export interface FlagDef {
  name: string;
  aliases: string[];
  describe: string;
  /** Takes a value (string, number, array), unlike boolean and count flags. */
  takesValue: boolean;
  choices?: string[];
}

interface OptionSpec {
  alias?: string | string[];
  type?: string;
  describe?: string;
  choices?: readonly unknown[];
}

/**
 * The flags a builder defines: it runs against a stand-in for yargs that records `.option()` calls
 * and returns itself for every other method.
 */
export function flagsOf(build: (y: Argv) => unknown): FlagDef[] {
  const flags: FlagDef[] = [];
  const record = (name: string, o: OptionSpec = {}) => {
    const aliases = o.alias === undefined ? [] : Array.isArray(o.alias) ? o.alias : [o.alias];
    flags.push({
      name,
      aliases,
      describe: (o.describe ?? '').split(/ \(|; |: /)[0]!.trim(),
      takesValue: o.type !== 'boolean' && o.type !== 'count',
      ...(o.choices ? { choices: o.choices.map(String) } : {}),
    });
  };
  const recorder: unknown = new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === 'option' || prop === 'options') {
          return (name: string | Record<string, OptionSpec>, o?: OptionSpec) => {
            if (typeof name === 'string') record(name, o);
            else for (const [k, v] of Object.entries(name)) record(k, v);
            return recorder;
          };
        }
        if (prop === 'then') return undefined; // not a thenable
        return () => recorder;
      },
    },
  );
  build(recorder as Argv);
  return flags;
}

/** Values a flag can take, where they are a fixed list that the definitions do not spell as `choices`. */
const FIXED_VALUES: Record<string, string[]> = {
  output: ['table', 'json', 'yaml'],
  'dry-run': ['client', 'server', 'none'],
};

export interface CompletionSources {
  namespaces(flags: Record<string, string>): Promise<string[]>;
  contexts(flags: Record<string, string>): Promise<string[]>;
  templates?: readonly string[];
}

export interface Completion {
  candidates: string[];
  directive: number;
}

function flagByWord(flags: FlagDef[], word: string): FlagDef | undefined {
  const bare = word.replace(/^--?/, '').replace(/=.*$/, '');
  if (word.startsWith('--')) return flags.find((f) => f.name === bare || (bare.startsWith('no-') && f.name === bare.slice(3) && !f.takesValue));
  if (word.startsWith('-') && bare.length >= 1) return flags.find((f) => f.aliases.includes(bare.slice(-1)) || f.aliases.includes(bare));
  return undefined;
}

function withPrefix(values: string[], toComplete: string): string[] {
  return values.filter((v) => v.startsWith(toComplete));
}

/**
 * Candidates for `words` (what is typed after the plugin name, the last element being the word
 * under the cursor, possibly empty).
 */
export async function complete(words: string[], commands: Command[], sources: CompletionSources): Promise<Completion> {
  const typed = words.length ? words.slice(0, -1) : [];
  const toComplete = words.length ? words[words.length - 1]! : '';
  const global = flagsOf((y) => globalOptions(y));

  // Walk the words before the cursor: the command, the flags given (for --kubeconfig/--context),
  // and whether the last one still waits for its value.
  let command: Command | undefined;
  let flags = global;
  const given: Record<string, string> = {};
  let pending: FlagDef | undefined;
  for (const w of typed) {
    if (pending) {
      given[pending.name] = w;
      pending = undefined;
      continue;
    }
    if (w === '--') break;
    if (w.startsWith('-') && w !== '-') {
      const f = flagByWord(flags, w);
      if (f?.takesValue) {
        if (w.includes('=')) given[f.name] = w.slice(w.indexOf('=') + 1);
        else pending = f;
      }
      continue;
    }
    if (!command) {
      command = commands.find((c) => c.name === w);
      if (command) flags = [...global, ...flagsOf((y) => command!.builder(y))];
    }
  }

  let flag = pending;
  let value = toComplete;
  if (!flag && toComplete.startsWith('-') && toComplete.includes('=')) {
    flag = flagByWord(flags, toComplete);
    if (flag?.takesValue) value = toComplete.slice(toComplete.indexOf('=') + 1);
    else flag = undefined;
  }

  if (flag) {
    // A list flag (-n a,b): complete the part after the last comma, keep what came before. Values of
    // `--flag=value` come without the `--flag=`, as cobra's shell scripts expect (they strip it).
    const comma = value.lastIndexOf(',');
    const head = comma >= 0 ? value.slice(0, comma + 1) : '';
    const tail = comma >= 0 ? value.slice(comma + 1) : value;
    let values: string[] | undefined = flag.choices ?? FIXED_VALUES[flag.name];
    if (flag.name === 'template' && !values) values = sources.templates ? [...sources.templates] : undefined;
    if (flag.name === 'namespace' || flag.name === 'exclude') values = await sources.namespaces(given);
    if (flag.name === 'context') values = await sources.contexts(given);
    if (flag.name === 'kubeconfig' || flag.name === 'filename') return { candidates: [], directive: DIRECTIVE.default };
    if (!values) return { candidates: [], directive: DIRECTIVE.noFileComp };
    const done = new Set(comma >= 0 ? value.slice(0, comma).split(',') : []);
    return { candidates: withPrefix(values.filter((v) => !done.has(v)), tail).map((v) => head + v), directive: DIRECTIVE.noFileComp };
  }

  if (toComplete.startsWith('-')) {
    const names: string[] = [];
    for (const f of flags) {
      names.push(`--${f.name}\t${f.describe}`);
      for (const a of f.aliases) if (a.length === 1) names.push(`-${a}\t${f.describe}`);
    }
    return { candidates: names.filter((n) => n.startsWith(toComplete)), directive: DIRECTIVE.noFileComp };
  }
  if (!command) {
    return { candidates: commands.filter((c) => c.name.startsWith(toComplete)).map((c) => `${c.name}\t${c.describe}`), directive: DIRECTIVE.noFileComp };
  }
  return { candidates: [], directive: DIRECTIVE.noFileComp };
}

/** `__complete` for runCli: prints the candidates and the directive; always exit 0. */
export async function runComplete(words: string[], commands: Command[], io: IO, templates?: readonly string[]): Promise<number> {
  const quiet = async <T>(f: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await f();
    } catch {
      return [];
    }
  };
  const sources: CompletionSources = {
    templates,
    namespaces: (given) =>
      quiet(async () => {
        const signal = AbortSignal.any([io.signal, AbortSignal.timeout(CLUSTER_TIMEOUT_MS)]);
        const cluster = await io.connect({ kubeconfig: given['kubeconfig'], context: given['context'], env: io.env, requestTimeoutMs: CLUSTER_TIMEOUT_MS, signal, log: () => {}, maxRetries: 0 });
        return (await cluster.listNamespaces()).map((n) => n.metadata.name).sort();
      }),
    contexts: (given) =>
      quiet(async () => {
        const { contextNamesIn, kubeconfigFiles } = await import('../kube/kubeconfig.ts');
        return contextNamesIn(kubeconfigFiles({ explicitFile: given['kubeconfig'], envValue: io.env['KUBECONFIG'], home: io.env['HOME'] }));
      }),
  };
  const r = await complete(words, commands, sources);
  io.out.write(r.candidates.map((c) => `${c}\n`).join('') + `:${r.directive}\n`);
  return 0;
}
