// --exceptions FILE: read and parse the exceptions file once, before any request, so a bad file
// fails fast (exit 2, naming the file and line) instead of after a long cluster read.
import type { Argv } from 'yargs';
import { parseExceptionsFile } from '../app/exceptions-file.ts';
import { UsageError } from '../core/errors.ts';
import type { ExceptionRule } from '../core/exceptions.ts';
import type { IO } from './io.ts';

export function exceptionsOption<T>(y: Argv<T>) {
  return y.option('exceptions', {
    type: 'string',
    describe: 'YAML file of exceptions (kind NetworkPolicyExceptions: namespace or glob, reason, owner, until); namespace annotations cis-netpol.io/exempt-reason, -owner, -until count too',
  });
}

export function readExceptions(argv: Record<string, unknown>, io: IO): ExceptionRule[] {
  const file = argv['exceptions'] as string | undefined;
  if (file === undefined) return [];
  if (file === '') throw new UsageError('--exceptions needs a file name', 'e.g. --exceptions exceptions.yaml');
  let text: string;
  try {
    text = io.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read --exceptions ${file}: ${(err as Error).message}`, 'check the path');
  }
  return parseExceptionsFile(text, file);
}
