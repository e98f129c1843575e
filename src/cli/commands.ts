// Every command, in the order help and completion list them.
import { auditCommand } from './audit.ts';
import { canReachCommand } from './can-reach.ts';
import { cniCommand } from './cni.ts';
import { doctorCommand } from './doctor.ts';
import type { Command } from './command.ts';
import { pruneCommand } from './prune.ts';
import { remediateCommand } from './remediate.ts';
import { rollbackCommand } from './rollback.ts';
import { versionCommand } from './version-cmd.ts';
import { watchCommand } from './watch.ts';

export const COMMANDS: Command[] = [auditCommand, remediateCommand, rollbackCommand, pruneCommand, canReachCommand, cniCommand, doctorCommand, watchCommand, versionCommand];
