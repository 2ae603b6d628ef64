// Gives back the memory of the agent's start-up once it is over.
//
// Why: loading ~450 modules grows V8's young generation to 8 MiB per semi-space, and V8 only shrinks
// it at a scavenge that sees a low allocation rate; an idle agent allocates so little that the next
// scavenge is minutes away, so ~9 MiB of RSS (a tenth of the agent's) stays resident for nothing.
// One memory-reducing full collection (the "last resort" kind, which always shrinks it to 1 MiB) when
// start-up is done gives it back; V8 grows it again by itself under load. Node has no API for this, so `gc` is taken from a fresh context after --expose-gc, which
// leaves the agent's own global untouched. The in-process inspector's HeapProfiler.collectGarbage
// would be the documented route, but on Node 24 it blocks the main thread for good.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Runs that collection `delayMs` from now (~50 ms of pause, once); the timer keeps nothing alive. */
export function releaseStartupMemory(delayMs: number): void {
  setTimeout(() => {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as Gc)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  }, delayMs).unref();
}
