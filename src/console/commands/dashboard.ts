// `dashboard [-i ms] [-n count]`: host, agent and running bosun runs, one item every interval until
// `-n` items or an interrupt, with the fields of Arthas's dashboard filled with the Node.js meaning
// (runtimeInfo, memoryInfo with V8's spaces, the agent's threads from /proc, gcInfos), which its web
// console draws.
import os from 'node:os';
import path from 'node:path';
import { mountRows } from '../../monitor/disk-total.ts';
import { intOption, MAX_COUNT, type CommandSpec, type ConsoleDeps } from '../command.ts';
import type { DashboardItem, EventLoopInfo, RuntimeInfo } from '../items.ts';
import { readMemory } from './memory.ts';
import type { ConsoleState } from './support/console-state.ts';
import { createLoopMeter } from './support/event-loop.ts';
import { jobNames, toRunInfo } from './support/runs.ts';
import { createThreadSampler, type ThreadSampler } from './support/thread-sampler.ts';

const RUNS_SHOWN = 50;
/** The longest refresh interval: a day, well within setTimeout's limit. */
const DAY_MS = 86_400_000;

export function createDashboardCommand(state: ConsoleState): CommandSpec {
  return {
    kind: 'command',
    name: 'dashboard',
    summary: 'host, agent, threads, memory, GC and running jobs, refreshed until interrupted',
    usage: 'dashboard [-i <ms>] [-n <count>]',
    optionHelp: [
      "-i, --interval <ms>  time between refreshes, 100 to 86400000 (default: option 'dashboard-interval', 5000)",
      '-n, --number <count>  stop after this many refreshes',
    ],
    examples: ['dashboard', 'dashboard -i 1000 -n 5'],
    options: {
      interval: { type: 'string', short: 'i' },
      number: { type: 'string', short: 'n' },
    },
    async run(ctx, { values }) {
      const intervalMs =
        intOption(values.interval, 'dashboard: -i', { min: 100, max: DAY_MS }) ??
        state.options(ctx.deps.config).get('dashboard-interval');
      const count = intOption(values.number, 'dashboard: -n', { min: 1, max: MAX_COUNT });
      const meter = createLoopMeter();
      // The first refresh shows each thread's CPU over its life so far, later ones per interval.
      const threads = createThreadSampler({ lifetime: true });
      try {
        for (let i = 0; count === undefined || i < count; i += 1) {
          if (i > 0 && !(await ctx.sleep(intervalMs))) return;
          const item = await readDashboard(ctx.deps, meter.read(), { state, threads });
          if (ctx.signal.aborted) return;
          ctx.emit(item);
        }
      } finally {
        meter.close();
      }
    },
  };
}

/** Arthas's runtimeInfo for this Node.js process. */
export function runtimeInfo(deps: ConsoleDeps, now = Date.now()): RuntimeInfo {
  return {
    osName: os.type(),
    osVersion: os.release(),
    javaVersion: process.version,
    // The install prefix: <prefix>/bin/node.
    javaHome: path.dirname(path.dirname(process.execPath)),
    systemLoadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    processors: os.availableParallelism(),
    uptime: now - deps.startedAt,
    timestamp: now,
    v8Version: process.versions.v8,
  };
}

export async function readDashboard(
  deps: ConsoleDeps,
  eventLoop: EventLoopInfo,
  sources: { state: ConsoleState; threads: ThreadSampler },
): Promise<DashboardItem> {
  const page = await deps.jobs.listRuns({ state: 'running', limit: RUNS_SHOWN });
  const names = await jobNames(deps.jobs, page.runs);
  const memory = process.memoryUsage();
  const s = deps.monitor.latest()?.snapshot;
  const host: DashboardItem['host'] =
    s === undefined
      ? undefined
      : {
          hostname: s.system.hostname,
          cpuPercent: s.cpu.total_percent,
          cores: s.system.cores,
          load: [s.load.load1, s.load.load5, s.load.load15],
          memory: { total: s.memory.total, used: s.memory.used, percent: s.memory.percent },
          swap: {
            total: s.memory.swap_total,
            used: s.memory.swap_used,
            percent: s.memory.swap_percent,
          },
          // The mounts: vminfo's total row (monitor/disk-total.ts) would list "/" twice.
          disks: mountRows(s.disk.filesystems)
            .filter((f) => f.error === undefined)
            .map((f) => ({ mount: f.mount, total: f.total, used: f.used, percent: f.percent })),
          healthScore: s.health.score,
        };
  const now = Date.now();
  return {
    type: 'dashboard',
    time: now,
    runtimeInfo: runtimeInfo(deps, now),
    memoryInfo: readMemory().memoryInfo,
    threads: sources.threads.sample(),
    gcInfos: sources.state.gc.read(),
    ...(host === undefined ? {} : { host }),
    agent: {
      pid: process.pid,
      uptimeSec: Math.round((now - deps.startedAt) / 1000),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      eventLoop,
    },
    runs: page.runs.map((r) => toRunInfo(r, names.get(r.jobId) ?? r.jobId)),
  };
}
