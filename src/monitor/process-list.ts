// The process list: walks /proc/[pid] (stat, cmdline) with sync reads, the cheapest way on procfs, and
// computes each row's CPU share from the previous walk. The owner comes from the /proc/[pid] directory
// (one stat call) rather than /proc/[pid]/status, which costs twice as much as the stat file to produce.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { parseCmdline } from './pid-cmdline.ts';
import { parsePidStat, type PidStat } from '../proc/pid-stat.ts';
import { USER_HZ } from './proc-stat.ts';
import { round1 } from './round.ts';
import type { ProcessRow } from './snapshot.ts';

/** CPU ticks of one process at the previous walk; starttime tells a reused pid from the same process. */
export interface ProcessBaseline {
  startTicks: number;
  cpuTicks: number;
}

export interface ProcessRowContext {
  nowMs: number;
  bootTimeSeconds: number;
  memTotal: number;
  pageSize: number;
  prev: ReadonlyMap<number, ProcessBaseline>;
  prevAtMs: number;
  userName: (uid: number) => string;
}

/**
 * One row. CPU percent is of one core (a process using two full cores shows 200, as in top): from the
 * previous walk when the same process was seen, else averaged over its lifetime, as ps does.
 */
export function buildProcessRow(
  stat: PidStat,
  uid: number,
  cmdline: string,
  ctx: ProcessRowContext,
): ProcessRow {
  const startedAt = ctx.bootTimeSeconds + stat.startTicks / USER_HZ;
  const base = ctx.prev.get(stat.pid);
  let cpu = 0;
  if (base && base.startTicks === stat.startTicks && ctx.nowMs > ctx.prevAtMs) {
    cpu =
      (Math.max(0, stat.cpuTicks - base.cpuTicks) / USER_HZ / ((ctx.nowMs - ctx.prevAtMs) / 1000)) *
      100;
  } else {
    const lifetimeSec = ctx.nowMs / 1000 - startedAt;
    if (lifetimeSec > 0) cpu = (stat.cpuTicks / USER_HZ / lifetimeSec) * 100;
  }
  const rss = stat.rssPages * ctx.pageSize;
  return {
    pid: stat.pid,
    ppid: stat.ppid,
    name: stat.name,
    user: ctx.userName(uid),
    cpu_percent: round1(cpu),
    mem_percent: ctx.memTotal > 0 ? round1((rss / ctx.memTotal) * 100) : 0,
    rss,
    status: stat.state,
    command: cmdline || stat.name,
    threads: stat.threads,
    nice: stat.nice,
    uptime: Math.max(0, Math.floor(ctx.nowMs / 1000 - startedAt)),
    started_at_unix: Math.floor(startedAt),
  };
}

/** By CPU, busiest first, ties by pid. */
export function compareByCpu(a: ProcessRow, b: ProcessRow): number {
  return b.cpu_percent - a.cpu_percent || a.pid - b.pid;
}

export interface ProcessList {
  total: number;
  list: ProcessRow[];
}

export interface ProcessLister {
  /** Processes on the host: the numeric entries of /proc (one readdir). */
  count(): number;
  /**
   * Every process's row, sorted by CPU; `total` counts the pids seen, even those that exited mid-walk.
   * A walk less than `minGapMs` after the previous one returns that one's result: CPU shares over a
   * few milliseconds would be noise (one tick in 50 ms reads as 20 %).
   */
  collect(nowMs: number, bootTimeSeconds: number, memTotal: number): ProcessList;
}

export function createProcessLister(opts: {
  procRoot: string;
  pageSize: number;
  userName: (uid: number) => string;
  minGapMs: number;
}): ProcessLister {
  let prev = new Map<number, ProcessBaseline>();
  let prevAtMs = 0;
  let last: ProcessList | undefined;

  const pids = (): string[] => readdirSync(opts.procRoot).filter(isPid);

  return {
    count: () => pids().length,
    collect(nowMs, bootTimeSeconds, memTotal) {
      if (last && nowMs >= prevAtMs && nowMs - prevAtMs < opts.minGapMs) return last;
      const names = pids();
      const next = new Map<number, ProcessBaseline>();
      const ctx: ProcessRowContext = {
        nowMs,
        bootTimeSeconds,
        memTotal,
        pageSize: opts.pageSize,
        prev,
        prevAtMs,
        userName: opts.userName,
      };
      const list: ProcessRow[] = [];
      for (const name of names) {
        const dir = `${opts.procRoot}/${name}`;
        let stat: PidStat | undefined;
        let cmdline = '';
        try {
          stat = parsePidStat(readFileSync(`${dir}/stat`, 'utf8'));
          // Kernel threads have no command line; skipping them saves a read for most of a quiet host's pids.
          if (stat && !stat.kernelThread) {
            cmdline = parseCmdline(readFileSync(`${dir}/cmdline`, 'utf8'));
          }
        } catch {
          continue; // the process exited between readdir and read
        }
        const owner = statSync(dir, { throwIfNoEntry: false });
        if (!stat || !owner) continue;
        next.set(stat.pid, { startTicks: stat.startTicks, cpuTicks: stat.cpuTicks });
        list.push(buildProcessRow(stat, owner.uid, cmdline, ctx));
      }
      prev = next;
      prevAtMs = nowMs;
      list.sort(compareByCpu);
      last = { total: names.length, list };
      return last;
    },
  };
}

function isPid(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/**
 * The kernel page size, which /proc/[pid]/stat counts rss in. Node does not expose it, so compare our
 * own rss in pages with process.memoryUsage.rss() (bytes) and take the nearest size Linux uses.
 */
export function detectPageSize(): number {
  try {
    const stat = parsePidStat(readFileSync('/proc/self/stat', 'utf8'));
    const bytes = process.memoryUsage.rss();
    if (!stat || stat.rssPages <= 0) return 4096;
    const ratio = bytes / stat.rssPages;
    let best = 4096;
    for (const size of [4096, 16384, 65536]) {
      if (Math.abs(Math.log2(ratio / size)) < Math.abs(Math.log2(ratio / best))) best = size;
    }
    return best;
  } catch {
    return 4096;
  }
}
