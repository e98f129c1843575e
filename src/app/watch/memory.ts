// A watch is one process that lives for weeks with a steady heap (its store), so it asks V8 for
// memory saver mode: the heap grows by less between major collections and new-space garbage is
// returned sooner, for some CPU on each collection. The executable's start-up flags
// (scripts/lib/sea.mjs V8_FLAGS) are shared by every command, and a one-shot audit at 10,000
// namespaces would pay that CPU for nothing; V8 reads this flag when it sizes the heap after each
// collection, so setting it when the watch starts is enough (measured: docs/watch.md, "Measured").
import { setFlagsFromString } from 'node:v8';

export function saveMemoryForALongRun(): void {
  setFlagsFromString('--memory-saver-mode');
}
