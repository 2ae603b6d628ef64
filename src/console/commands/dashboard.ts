// `dashboard [-i ms] [-n count]`: host, agent and running bosun runs, one item every interval until
// `-n` items or an interrupt (Arthas's dashboard, for a host and job agent).
import { intOption, MAX_COUNT, type CommandSpec, type ConsoleDeps } from '../command.ts';
import type { DashboardItem, EventLoopInfo } from '../items.ts';
import { createLoopMeter } from './support/event-loop.ts';
import { jobNames, toRunInfo } from './support/runs.ts';

const RUNS_SHOWN = 50;
/** The longest refresh interval: a day, well within setTimeout's limit. */
const DAY_MS = 86_400_000;

export const dashboardCommand: CommandSpec = {
  kind: 'command',
  name: 'dashboard',
  summary: 'host, agent and running jobs, refreshed until interrupted',
  usage: 'dashboard [-i <ms>] [-n <count>]',
  optionHelp: [
    '-i, --interval <ms>  time between refreshes, 100 to 86400000 (default 5000)',
    '-n, --number <count>  stop after this many refreshes',
  ],
  examples: ['dashboard', 'dashboard -i 1000 -n 5'],
  options: {
    interval: { type: 'string', short: 'i' },
    number: { type: 'string', short: 'n' },
  },
  async run(ctx, { values }) {
    const intervalMs =
      intOption(values.interval, 'dashboard: -i', { min: 100, max: DAY_MS }) ?? 5000;
    const count = intOption(values.number, 'dashboard: -n', { min: 1, max: MAX_COUNT });
    const meter = createLoopMeter();
    try {
      for (let i = 0; count === undefined || i < count; i += 1) {
        if (i > 0 && !(await ctx.sleep(intervalMs))) return;
        const item = await readDashboard(ctx.deps, meter.read());
        if (ctx.signal.aborted) return;
        ctx.emit(item);
      }
    } finally {
      meter.close();
    }
  },
};

export async function readDashboard(
  deps: ConsoleDeps,
  eventLoop: EventLoopInfo,
): Promise<DashboardItem> {
  const [page, names] = await Promise.all([
    deps.jobs.listRuns({ state: 'running', limit: RUNS_SHOWN }),
    jobNames(deps.jobs),
  ]);
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
          disks: s.disk.filesystems
            .filter((f) => f.error === undefined)
            .map((f) => ({ mount: f.mount, total: f.total, used: f.used, percent: f.percent })),
          healthScore: s.health.score,
        };
  return {
    type: 'dashboard',
    time: Date.now(),
    ...(host === undefined ? {} : { host }),
    agent: {
      pid: process.pid,
      uptimeSec: Math.round((Date.now() - deps.startedAt) / 1000),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      eventLoop,
    },
    runs: page.runs.map((r) => toRunInfo(r, names.get(r.jobId) ?? r.jobId)),
  };
}
