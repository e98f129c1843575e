// Text order by UTF-16 code unit, as Go (and so kubectl) sorts names: the same on every machine
// whatever its locale, and free of the ICU collator that String#localeCompare builds on first use
// (~14 ms of every command's start-up). For Kubernetes names (lowercase letters, digits, '-', '.')
// it is the order localeCompare gave.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
