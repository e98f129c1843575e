import { asInspector, type Inspector } from '../app/inspect-ports.ts';
import { CisNetpolError } from '../core/errors.ts';
import type { Command } from './command.ts';
import type { CommandContext } from './context.ts';
import { cniExit } from './exit.ts';

/** The connected client as an Inspector (src/kube's client is one; a test fake may not be). */
export async function inspector(ctx: CommandContext): Promise<Inspector> {
  const i = asInspector(await ctx.cluster());
  if (!i) throw new CisNetpolError('this cluster client cannot read DaemonSets, access reviews or discovery', 'run the built kubectl-cis_netpol executable');
  return i;
}

export const cniCommand: Command = {
  name: 'cni',
  describe: 'Check that something enforces NetworkPolicies here (CIS 5.3.1): which CNI, and the evidence (read only)',
  examples: [
    ['kubectl cis-netpol cni', 'ENFORCED by …, NOT ENFORCED (why) or UNKNOWN (what was seen)'],
    ['kubectl cis-netpol cni -o json', 'the verdict with every finding and its evidence'],
  ],
  builder: (y) => y,
  async run(_argv, ctx) {
    const [{ runCni }, { renderCni }] = await Promise.all([import('../app/cni.ts'), import('../output/cni.ts')]);
    const report = await runCni(await inspector(ctx), ctx.deps);
    ctx.print(report, (style) => renderCni(report, style));
    return cniExit(report);
  },
};
