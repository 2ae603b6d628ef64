// Garbage collections of the agent by kind (count and time), for `dashboard`, `jvm` and `perfcounter`
// (Arthas's gcInfos). V8 keeps no running totals, so one perf_hooks observer per console counts the
// collections from the console's first use on.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { GcInfo } from '../../items.ts';

export interface GcStats {
  /** Every kind, in a fixed order, with its count and total time so far. */
  read(): GcInfo[];
  /** When counting started, ms since the epoch. */
  readonly since: number;
  close(): void;
}

/** V8's collection kinds under the names its --trace-gc prints. */
const KINDS: ReadonlyArray<readonly [number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MINOR, 'scavenge'],
  [constants.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP, 'minor-mark-sweep'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'mark-compact'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental-marking'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak-callbacks'],
];

export function createGcStats(now: () => number = Date.now): GcStats {
  const counts = new Map<number, { count: number; timeMs: number }>();
  for (const [kind] of KINDS) counts.set(kind, { count: 0, timeMs: 0 });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) record(entry as { duration: number; detail?: unknown });
  });
  const record = (entry: { duration: number; detail?: unknown }): void => {
    const kind = (entry.detail as { kind?: number } | undefined)?.kind;
    const c = kind === undefined ? undefined : counts.get(kind);
    if (c === undefined) return;
    c.count += 1;
    c.timeMs += entry.duration;
  };
  observer.observe({ entryTypes: ['gc'] });
  return {
    since: now(),
    read: () =>
      KINDS.map(([kind, name]) => {
        const c = counts.get(kind) ?? { count: 0, timeMs: 0 };
        return { name, collectionCount: c.count, collectionTime: Math.round(c.timeMs) };
      }),
    close: () => observer.disconnect(),
  };
}
