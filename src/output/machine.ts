// -o json|yaml: the report as data. Reports carry apiVersion/kind, so consumers can check the version.
import * as yaml from 'js-yaml';

export type MachineFormat = 'json' | 'yaml';

export function renderMachine(report: object, format: MachineFormat): string {
  return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : yaml.dump(report, { noRefs: true, lineWidth: -1 });
}
