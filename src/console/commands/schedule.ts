// `schedule [job] [-n count]`: bosun jobs with their schedules, next run and last run; for one job,
// its next `-n` fire times.
import { intOption, type CommandSpec } from '../command.ts';
import type { JobsService, JobState } from '../../jobs/jobs-service.ts';
import type { ScheduleSpec } from '../../model/schedules.ts';
import type { ScheduleInfo, ScheduleItem } from '../items.ts';
import { translate } from './support/runs.ts';

export const scheduleCommand: CommandSpec = {
  kind: 'command',
  name: 'schedule',
  summary: 'bosun jobs, their schedules and next runs',
  usage: 'schedule [<job>] [-n <count>]',
  optionHelp: ['-n, --number <count>  next fire times shown for one job (default 5)'],
  examples: ['schedule', 'schedule nightly -n 10'],
  options: { number: { type: 'string', short: 'n' } },
  positionals: { min: 0, max: 1 },
  async run(ctx, { values, positionals }) {
    const count = intOption(values.number, 'schedule: -n', { min: 1, max: 100 }) ?? 5;
    const [name] = positionals;
    const { jobs } = ctx.deps;
    const item: ScheduleItem =
      name === undefined
        ? await listFirst(jobs)
        : { type: 'schedule', jobs: [await one(jobs, name, count)] };
    ctx.emit(item);
  },
};

/** The most jobs the listing shows: a terminal's worth, read as one page of the store. */
const LISTED = 200;

async function listFirst(jobs: JobsService): Promise<ScheduleItem> {
  // Name order (an empty prefix), the first page only: the cost is the page's, however many jobs.
  const [states, totals] = await Promise.all([
    jobs.listJobs({ limit: LISTED, namePrefix: '' }),
    jobs.jobTotals(),
  ]);
  const total = Object.values(totals).reduce((sum, n) => sum + n, 0);
  return {
    type: 'schedule',
    jobs: states.map((state) =>
      infoOf(state, state.nextRunAt === undefined ? [] : [state.nextRunAt]),
    ),
    ...(total > states.length ? { more: total - states.length } : {}),
  };
}

async function one(jobs: JobsService, name: string, count: number): Promise<ScheduleInfo> {
  try {
    const state = await jobs.getJob(name);
    return infoOf(state, state.job.enabled ? await jobs.nextTimes(state.job.id, count) : []);
  } catch (err) {
    throw translate(err, `schedule: no job '${name}'; type 'schedule' to list them`);
  }
}

function infoOf({ job, lastRun }: JobState, next: number[]): ScheduleInfo {
  return {
    id: job.id,
    name: job.name,
    enabled: job.enabled,
    schedules: job.schedules.map((s) => describeSchedule(s.spec)),
    next,
    ...(lastRun === undefined
      ? {}
      : {
          lastRun: {
            id: lastRun.id,
            state: lastRun.state,
            at: lastRun.finishedAt ?? lastRun.startedAt ?? lastRun.createdAt,
          },
        }),
  };
}

export function describeSchedule(spec: ScheduleSpec): string {
  const off = spec.enabled ? '' : ' (off)';
  switch (spec.kind) {
    case 'cron':
      return `cron ${spec.expr}${spec.tz === undefined ? '' : ` ${spec.tz}`}${off}`;
    case 'every':
      return `every ${spec.everySec}s${off}`;
    case 'at':
      return `at ${spec.at}${off}`;
    case 'cloudtask':
      return `cloudtask turnmode ${spec.turnmode} interval ${spec.interval} from ${spec.startdate} ${spec.starttime}${off}`;
  }
}
