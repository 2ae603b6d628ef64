// `stop <run>`: asks a bosun run to stop (SIGTERM, then SIGKILL after the job's grace); a queued run
// is canceled at once.
import type { CommandSpec } from '../command.ts';
import type { RunItem } from '../items.ts';
import { jobNameOf, mustBeWritable, toRunInfo, translate } from './support/runs.ts';

export const stopCommand: CommandSpec = {
  kind: 'command',
  name: 'stop',
  summary: 'stop a bosun run',
  usage: 'stop <run-id>',
  examples: ['stop 42'],
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    mustBeWritable(ctx.deps, 'stop');
    const runId = positionals[0] ?? '';
    const { jobs } = ctx.deps;
    let run;
    try {
      run = await jobs.stopRun(runId);
    } catch (err) {
      throw translate(err, `stop: no run '${runId}'; list runs with 'runs'`);
    }
    const item: RunItem = {
      type: 'run',
      event: 'stopping',
      run: toRunInfo(run, await jobNameOf(jobs, run)),
    };
    ctx.emit(item);
  },
};
