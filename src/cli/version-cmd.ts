import { VERSION } from '../version.ts';
import type { Command } from './command.ts';

export const versionCommand: Command = {
  name: 'version',
  describe: 'Print the plugin version',
  builder: (y) => y,
  async run(_argv, ctx) {
    const info = { apiVersion: 'cis-netpol.io/v1', kind: 'Version', version: VERSION };
    ctx.print(info, () => `kubectl-cis_netpol ${VERSION}\n`);
    return 0;
  },
};
