// `runs [job] [-n count] [-s state]`: recent bosun runs, newest first.
import { intOption, type CommandSpec } from '../command.ts';
import { RUN_STATES, type RunState } from '../../model/runs.ts';
import type { RunsItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { jobNames, toRunInfo, translate } from './support/runs.ts';

export const runsCommand: CommandSpec = {
  kind: 'command',
  name: 'runs',
  summary: 'recent runs of bosun jobs, newest first',
  usage: 'runs [<job>] [-n <count>] [-s <state>]',
  optionHelp: [
    '-n, --number <count>  runs shown (default 20)',
    `-s, --state <state>   only runs in this state (${RUN_STATES.join(', ')})`,
  ],
  examples: ['runs', 'runs nightly -n 5', 'runs -s running'],
  options: {
    number: { type: 'string', short: 'n' },
    state: { type: 'string', short: 's' },
  },
  positionals: { min: 0, max: 1 },
  async run(ctx, { values, positionals }) {
    const limit = intOption(values.number, 'runs: -n', { min: 1, max: 1000 }) ?? 20;
    const state = values.state;
    if (state !== undefined && !RUN_STATES.includes(state as RunState)) {
      throw new CommandFailure(
        `runs: -s must be one of ${RUN_STATES.join(', ')}, not '${String(state)}'`,
        STATUS.BAD_ARGS,
      );
    }
    const [job] = positionals;
    const { jobs } = ctx.deps;
    try {
      const page = await jobs.listRuns({
        limit,
        ...(job === undefined ? {} : { jobId: job }),
        ...(state === undefined ? {} : { state: state as RunState }),
      });
      const names = await jobNames(jobs, page.runs);
      const item: RunsItem = {
        type: 'runs',
        runs: page.runs.map((r) => toRunInfo(r, names.get(r.jobId) ?? r.jobId)),
      };
      ctx.emit(item);
    } catch (err) {
      throw translate(err, `runs: no job '${job ?? ''}'; list jobs with 'schedule'`);
    }
  },
};
