// Where the integration suite finds the real API server and the built executable.
// Missing either is a failure, never a skip: a skipped suite must not pass as a green one.
import fs from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const BIN = process.env['CIS_NETPOL_BIN'] ?? path.join(REPO, 'dist', 'kubectl-cis_netpol');

function required(name: string, hint: string): string {
  const v = process.env[name];
  if (!v || !fs.existsSync(v)) throw new Error(`${name} is not set to an existing file: ${hint}`);
  return v;
}

export function adminKubeconfig(): string {
  return required('KUBECONFIG', 'run `eval "$(scripts/testenv start)"` first');
}

export function restrictedKubeconfig(): string {
  return required('CIS_NETPOL_RESTRICTED_KUBECONFIG', 'run `eval "$(scripts/testenv start)"` first');
}

export function builtBinary(): string {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`npm run build\` first`);
  return BIN;
}
