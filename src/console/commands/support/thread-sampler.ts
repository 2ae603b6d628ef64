// CPU use per thread of the agent between two reads of /proc/self/task, in Arthas's ThreadVO shape,
// for `thread` and `dashboard`. Kernel states become Java's, which Arthas's clients count and filter.
import { readFileSync } from 'node:fs';
import { agentThreadTimes, type AgentThreadTimes } from '../../../jobs/thread-dump.ts';
import { USER_HZ } from '../../../monitor/proc-stat.ts';
import type { ThreadState, ThreadStats } from '../../items.ts';

export interface ThreadSampler {
  /** The threads, busiest first, with their CPU use since the previous sample (or since created). */
  sample(): ThreadStats[];
}

const MS_PER_TICK = 1000 / USER_HZ;
export const THREAD_STATES: readonly ThreadState[] = [
  'NEW',
  'RUNNABLE',
  'BLOCKED',
  'WAITING',
  'TIMED_WAITING',
  'TERMINATED',
];

/**
 * The kernel's one-letter state as a Java thread state: running is RUNNABLE, an interruptible sleep
 * (a thread waiting on epoll or a condition variable) WAITING, an uninterruptible one (disk I/O)
 * BLOCKED, stopped WAITING, and a thread that ended (or a zombie) TERMINATED.
 */
export function javaState(kernel: string): ThreadState {
  switch (kernel) {
    case 'R':
      return 'RUNNABLE';
    case 'D':
      return 'BLOCKED';
    case 'S':
    case 'I':
    case 'T':
    case 't':
    case 'W':
    case 'P':
      return 'WAITING';
    default:
      return 'TERMINATED';
  }
}

/** Seconds since boot, from /proc/uptime; undefined without /proc. */
function uptimeSec(): number | undefined {
  try {
    return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * A sampler. By default its window starts now; with `lifetime`, the first sample's window is each
 * thread's life so far (so that a first answer needs no wait), later ones since the previous sample.
 */
export function createThreadSampler(
  opts: { taskDir?: string; now?: () => number; pid?: number; lifetime?: boolean } = {},
): ThreadSampler {
  const now = opts.now ?? (() => performance.now());
  const pid = opts.pid ?? process.pid;
  const read = (): AgentThreadTimes[] => agentThreadTimes(opts.taskDir);
  let previous: Map<number, number> | undefined =
    opts.lifetime === true ? undefined : new Map(read().map((t) => [t.tid, t.cpuTicks]));
  let at = now();
  return {
    sample() {
      const threads = read();
      const t = now();
      const bootSec = previous === undefined ? uptimeSec() : undefined;
      const stats = threads.map((thread): ThreadStats => {
        let elapsedMs = Math.max(t - at, 1);
        let before = previous?.get(thread.tid);
        if (previous === undefined) {
          // The thread's whole life: from its start (ticks after boot) to now.
          before = 0;
          const ageMs =
            bootSec === undefined ? 0 : bootSec * 1000 - thread.startTicks * MS_PER_TICK;
          elapsedMs = Math.max(ageMs, 1);
        }
        // A thread born since the previous sample used all its time within the window.
        const deltaTicks = Math.max(0, thread.cpuTicks - (before ?? 0));
        const deltaTime = Math.round(deltaTicks * MS_PER_TICK);
        return {
          id: thread.tid,
          name: thread.name,
          group: thread.tid === pid ? 'main' : 'system',
          priority: thread.nice,
          state: javaState(thread.state),
          cpu: Math.min(100, Math.round((deltaTime / elapsedMs) * 10_000) / 100),
          deltaTime,
          time: Math.round(thread.cpuTicks * MS_PER_TICK),
          interrupted: false,
          daemon: thread.tid !== pid,
        };
      });
      previous = new Map(threads.map((x) => [x.tid, x.cpuTicks]));
      at = t;
      return stats.sort((a, b) => b.cpu - a.cpu || b.time - a.time || a.id - b.id);
    },
  };
}

/** How many threads are in each Java state, every state listed (Arthas's threadStateCount). */
export function countStates(threads: readonly ThreadStats[]): Record<ThreadState, number> {
  const counts = Object.fromEntries(THREAD_STATES.map((s) => [s, 0])) as Record<
    ThreadState,
    number
  >;
  for (const t of threads) counts[t.state] += 1;
  return counts;
}
