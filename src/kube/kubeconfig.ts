// Loading kubeconfig the way kubectl does, which client-node does not:
// - KUBECONFIG=a:b: the first file that sets current-context wins (client-node: the last);
// - the same cluster/user/context name in two files: the first wins (client-node: throws);
// - a missing file in the list is ignored (client-node: ENOENT);
// - an unknown --context is an error at once (client-node: "No active cluster!" much later).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';
import { ConfigError } from '../core/errors.ts';

export interface KubeconfigSource {
  /** --kubeconfig: one file, must exist. */
  explicitFile?: string;
  /** $KUBECONFIG as given (path-list separated). */
  envValue?: string;
  home?: string;
  context?: string;
}

type Entry = { name: string; [k: string]: unknown };
export interface MergedKubeconfig {
  clusters: Entry[];
  users: Entry[];
  contexts: Entry[];
  currentContext: string;
  files: string[];
}

// Fields holding file paths, resolved against the file that defined them, as kubectl does.
const PATH_FIELDS: Record<string, string[]> = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
};

function resolvePaths(entries: Entry[], kind: 'cluster' | 'user', dir: string): Entry[] {
  return entries.map((entry) => {
    const inner = { ...(entry[kind] as Record<string, unknown> | undefined) };
    for (const field of PATH_FIELDS[kind] ?? []) {
      const value = inner[field];
      if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) inner[field] = path.join(dir, value);
    }
    const exec = inner['exec'] as Record<string, unknown> | undefined;
    if (kind === 'user' && exec && typeof exec['command'] === 'string' && exec['command'].includes('/') && !path.isAbsolute(exec['command'])) {
      inner['exec'] = { ...exec, command: path.join(dir, exec['command']) };
    }
    return { ...entry, [kind]: inner };
  });
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, 'check the path given to --kubeconfig or $KUBECONFIG');
  }
  // kubectl treats an empty (or comment-only) file as an empty config; js-yaml 5 throws on it.
  if (text.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'))) return {};
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    throw new ConfigError(`kubeconfig ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'fix or regenerate the file');
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`kubeconfig ${file} is not a kubeconfig (expected a mapping)`, 'fix or regenerate the file');
  return doc as Record<string, unknown>;
}

function entries(doc: Record<string, unknown>, key: string): Entry[] {
  const list = doc[key];
  if (!Array.isArray(list)) return [];
  return list.filter((e): e is Entry => typeof e === 'object' && e !== null && typeof (e as Entry).name === 'string');
}

/** The files kubectl would read, in order; null when there are none (in-cluster may apply). */
export function kubeconfigFiles(src: KubeconfigSource): string[] {
  if (src.explicitFile) {
    if (!fs.existsSync(src.explicitFile)) throw new ConfigError(`kubeconfig ${src.explicitFile} does not exist`, 'check the path given to --kubeconfig');
    return [src.explicitFile];
  }
  if (src.envValue) {
    const seen = new Set<string>();
    return src.envValue.split(path.delimiter).filter((f) => f !== '' && !seen.has(f) && seen.add(f) && fs.existsSync(f));
  }
  const home = path.join(src.home ?? os.homedir(), '.kube', 'config');
  return fs.existsSync(home) ? [home] : [];
}

export function mergeKubeconfigs(files: string[], context?: string): MergedKubeconfig {
  const merged: MergedKubeconfig = { clusters: [], users: [], contexts: [], currentContext: '', files };
  const add = (target: Entry[], more: Entry[]) => {
    for (const e of more) if (!target.some((t) => t.name === e.name)) target.push(e);
  };
  for (const file of files) {
    const doc = readFile(file);
    const dir = path.dirname(path.resolve(file));
    add(merged.clusters, resolvePaths(entries(doc, 'clusters'), 'cluster', dir));
    add(merged.users, resolvePaths(entries(doc, 'users'), 'user', dir));
    add(merged.contexts, entries(doc, 'contexts'));
    const current = doc['current-context'];
    if (!merged.currentContext && typeof current === 'string' && current) merged.currentContext = current;
  }
  if (context) {
    if (!merged.contexts.some((c) => c.name === context)) {
      const known = merged.contexts.map((c) => c.name).join(', ') || 'none';
      throw new ConfigError(`context "${context}" not found in kubeconfig (${files.join(', ')}); known contexts: ${known}`, 'pick one with --context, see `kubectl config get-contexts`');
    }
    merged.currentContext = context;
  }
  if (!merged.currentContext) {
    throw new ConfigError(`no current context in kubeconfig (${files.join(', ')})`, 'pass --context, or run `kubectl config use-context NAME`');
  }
  const ctx = merged.contexts.find((c) => c.name === merged.currentContext);
  if (!ctx) throw new ConfigError(`current context "${merged.currentContext}" is not defined in kubeconfig (${files.join(', ')})`, 'pass --context, or run `kubectl config use-context NAME`');
  const inner = (ctx['context'] ?? {}) as { cluster?: string; user?: string };
  if (!inner.cluster || !merged.clusters.some((c) => c.name === inner.cluster)) {
    throw new ConfigError(`context "${merged.currentContext}" names cluster "${inner.cluster ?? ''}", which is not in kubeconfig`, 'fix the context with `kubectl config set-context`');
  }
  return merged;
}

/** Every context name in these files, first of duplicates wins (for completion: no current context needed). */
export function contextNamesIn(files: string[]): string[] {
  const names: string[] = [];
  for (const file of files) for (const e of entries(readFile(file), 'contexts')) if (!names.includes(e.name)) names.push(e.name);
  return names;
}

/** Every context name the kubeconfig files define, first definition first (--all-contexts). */
export function contextNames(src: KubeconfigSource): string[] {
  const files = kubeconfigFiles(src);
  if (files.length === 0) throw new ConfigError('--all-contexts: no kubeconfig found', 'pass --kubeconfig FILE or set KUBECONFIG');
  return contextNamesIn(files);
}
