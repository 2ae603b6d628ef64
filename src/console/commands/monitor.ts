// `monitor [-c sec] [-n cycles] [job [method]]`: run statistics per job every cycle (runs ended,
// succeeded, failed, total and mean duration, wait), as Arthas's monitor reports calls per method:
// the job is the class, `run` the method. Arthas's own form, `monitor <class-pattern>
// <method-pattern>`, names no bosun job and matches no class in a Node.js agent: it is answered as
// Arthas answers then.
import { isAgentError } from '../../errors.ts';
import { localDateTime } from '../../units/display.ts';
import { intOption, MAX_COUNT, type CommandSpec } from '../command.ts';
import type { Run } from '../../model/runs.ts';
import type { MonitorData, MonitorItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import type { ConsoleState } from './support/console-state.ts';
import { ENHANCER_OPTIONS, noClassAffected } from './support/no-classes.ts';
import { jobNames, translate } from './support/runs.ts';

/** Runs read per cycle; a run that ended in the cycle but is older than this many is missed. */
const RUNS_READ = 1000;

export const monitorCommand: CommandSpec = createMonitorCommand();

export function createMonitorCommand(state?: ConsoleState): CommandSpec {
  return {
    kind: 'command',
    name: 'monitor',
    summary: 'run statistics per job every cycle, until interrupted',
    usage: 'monitor [-c <sec>] [-n <cycles>] [<job> [<method>]]',
    optionHelp: [
      "-c, --cycle <sec>     length of a cycle in seconds (default: option 'monitor-cycle', 60)",
      '-n, --number <cycles>  stop after this many cycles',
    ],
    examples: ['monitor', 'monitor -c 10 nightly', 'monitor -c 5 -n 3'],
    options: {
      ...ENHANCER_OPTIONS,
      before: { type: 'boolean', short: 'b' },
      limits: { type: 'string' },
      cycle: { type: 'string', short: 'c' },
      number: { type: 'string', short: 'n' },
    },
    positionals: { min: 0, max: 3 },
    async run(ctx, { values, positionals }) {
      const cycleSec =
        intOption(values.cycle, 'monitor: -c', { min: 1, max: 86_400 }) ??
        state?.options(ctx.deps.config).get('monitor-cycle') ??
        60;
      const cycles = intOption(values.number, 'monitor: -n', { min: 1, max: MAX_COUNT });
      const [job, method = 'run', condition] = positionals;
      const { jobs } = ctx.deps;
      let jobId: string | undefined;
      if (job !== undefined) {
        try {
          jobId = (await jobs.getJob(job)).job.id;
        } catch (err) {
          if (isAgentError(err) && err.code === 'NOT_FOUND') {
            noClassAffected(ctx, `Nor is '${job}' a bosun job: list jobs with 'schedule'.`);
          }
          throw translate(err, `monitor: no job '${job}'; list jobs with 'schedule'`);
        }
        if (condition !== undefined) {
          throw new CommandFailure(
            `monitor: a job's runs take no condition ('${condition}'); type 'monitor -c <sec> ${job}'`,
            STATUS.BAD_ARGS,
          );
        }
      }
      let from = Date.now();
      for (let i = 0; cycles === undefined || i < cycles; i += 1) {
        if (!(await ctx.sleep(cycleSec * 1000))) return;
        const to = Date.now();
        const filter = jobId === undefined ? {} : { jobId };
        const [recent, running] = await Promise.all([
          jobs.listRuns({ ...filter, limit: RUNS_READ }),
          jobs.listRuns({ ...filter, state: 'running', limit: RUNS_READ }),
        ]);
        const names = await jobNames(jobs, [...recent.runs, ...running.runs]);
        if (ctx.signal.aborted) return;
        const item: MonitorItem = {
          type: 'monitor',
          timestamp: to,
          cycleSec,
          monitorDataList: cycleStats(recent.runs, running.runs, names, from, to, method),
        };
        ctx.emit(item);
        from = to;
      }
    },
  };
}

/**
 * Statistics per job for the runs that ended in [from, to) and those running now; jobs with neither
 * are left out. Sorted by job name.
 */
export function cycleStats(
  recent: readonly Run[],
  running: readonly Run[],
  names: ReadonlyMap<string, string>,
  from: number,
  to: number,
  method = 'run',
): MonitorData[] {
  interface Acc {
    total: number;
    success: number;
    failed: number;
    canceled: number;
    skipped: number;
    running: number;
    durations: number[];
    waits: number[];
  }
  const byJob = new Map<string, Acc>();
  const acc = (jobId: string): Acc => {
    let a = byJob.get(jobId);
    if (a === undefined) {
      a = {
        total: 0,
        success: 0,
        failed: 0,
        canceled: 0,
        skipped: 0,
        running: 0,
        durations: [],
        waits: [],
      };
      byJob.set(jobId, a);
    }
    return a;
  };
  const within = (t: number | undefined): t is number => t !== undefined && t >= from && t < to;
  for (const run of recent) {
    if (within(run.startedAt)) acc(run.jobId).waits.push(Math.max(0, run.startedAt - run.runAt));
    if (!within(run.finishedAt)) continue;
    const a = acc(run.jobId);
    a.total += 1;
    if (run.state === 'succeeded') a.success += 1;
    else if (run.state === 'canceled') a.canceled += 1;
    else if (run.state === 'skipped') a.skipped += 1;
    else a.failed += 1;
    if (run.startedAt !== undefined) a.durations.push(run.finishedAt - run.startedAt);
  }
  for (const run of running) acc(run.jobId).running += 1;
  const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
  const mean = (xs: number[]): number => (xs.length === 0 ? 0 : Math.round(sum(xs) / xs.length));
  const timestamp = localDateTime(to);
  return [...byJob]
    .filter(([, a]) => a.total > 0 || a.running > 0 || a.waits.length > 0)
    .map(([jobId, a]) => ({
      className: names.get(jobId) ?? jobId,
      methodName: method,
      timestamp,
      cost: sum(a.durations),
      job: names.get(jobId) ?? jobId,
      total: a.total,
      success: a.success,
      failed: a.failed,
      canceled: a.canceled,
      skipped: a.skipped,
      running: a.running,
      avgDurationMs: mean(a.durations),
      avgWaitMs: mean(a.waits),
    }))
    .sort((x, y) => x.job.localeCompare(y.job));
}
