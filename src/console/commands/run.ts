// `run <job> [-f]`: starts a run of a bosun job now; -f follows its output until it ends.
import type { CommandSpec } from '../command.ts';
import type { RunItem } from '../items.ts';
import { followRun } from './support/follow.ts';
import { findRun, mustBeWritable, toRunInfo, translate } from './support/runs.ts';

export const runCommand: CommandSpec = {
  kind: 'command',
  name: 'run',
  summary: 'start a run of a bosun job now (-f follows its output)',
  usage: 'run <job> [-f]',
  optionHelp: ['-f, --follow  show its output until the run ends (interrupt to stop following)'],
  examples: ['run nightly', 'run nightly -f'],
  options: { follow: { type: 'boolean', short: 'f' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, { values, positionals }) {
    mustBeWritable(ctx.deps, 'run');
    const name = positionals[0] ?? '';
    const { jobs } = ctx.deps;
    let started;
    try {
      started = await jobs.runNow(name);
    } catch (err) {
      throw translate(err, `run: no job '${name}'; list jobs with 'schedule'`);
    }
    const { run, created, job } = started;
    const item: RunItem = {
      type: 'run',
      event: created ? 'created' : 'existing',
      run: toRunInfo(run, job.name),
    };
    ctx.emit(item);
    if (values.follow !== true) return;
    await followRun(jobs, run.id, ctx.signal, (i) => ctx.emit(i));
    if (ctx.signal.aborted) return;
    const end: RunItem = {
      type: 'run',
      event: 'state',
      run: toRunInfo(await findRun(jobs, 'run', run.id), job.name),
    };
    ctx.emit(end);
  },
};
