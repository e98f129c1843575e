// One note per cluster-wide policy kind that was served but could not be read, so a missing right
// is never silently ignored: whatever the run proves or judges does not cover that kind.
import type { PolicyApiRead } from '../core/model.ts';

export function unreadableKindNotes(apis: readonly PolicyApiRead[] | undefined): string[] {
  return (apis ?? [])
    .filter((a) => a.state === 'unreadable')
    .map((a) => `could not read ${a.resource}.${a.group} (${a.reason ?? 'error'}): the proof does not cover it; grant "list ${a.resource}" (see deploy/rbac.yaml)`);
}
