// Everything the CLI needs from the process, injected by main.ts (tests pass buffers and fakes).
import type { Cluster } from '../app/ports.ts';
import type { ClientOptions } from '../kube/client.ts';

export interface Sink {
  write(text: string): unknown;
}

export interface IO {
  out: Sink;
  err: Sink;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  now(): Date;
  readStdin(): Promise<string>;
  readFile(path: string): string;
  /** --all-contexts: the context names of the kubeconfig (main.ts reads them like kubectl). */
  listContexts?(o: { kubeconfig?: string; env: Readonly<Record<string, string | undefined>> }): string[] | Promise<string[]>;
  /** --output-file. */
  writeFile(path: string, text: string): void;
  /** Builds the cluster client; tests of the CLI edge may replace it. main.ts loads client-node
   *  lazily here, so commands that never connect (--version, -f files) start fast. */
  connect(o: ClientOptions): Cluster | Promise<Cluster>;
  /** Spinner on stderr (terminals only). */
  spinner?(text: string): { text: string; stop(): void };
}
