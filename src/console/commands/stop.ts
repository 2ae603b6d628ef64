// `stop <run>`: asks a bosun run to stop (SIGTERM, then SIGKILL after the job's grace); a queued run
// is canceled at once. A bare `stop` is Arthas's "shut the server down" (its web console's Tools →
// shutdown): the agent is not the console's to stop, so it keeps running and says so in Arthas's
// shutdown shape, with status -1 so that a client shows the message rather than a success.
import type { CommandSpec } from '../command.ts';
import type { RunItem, ShutdownItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { jobNameOf, mustBeWritable, toRunInfo, translate } from './support/runs.ts';

export const AGENT_KEEPS_RUNNING =
  "bosun's agent keeps running: it is not stopped from the console (it serves jobs and other clients). Stop it as it was started (systemctl stop bosun, or SIGTERM to its pid); 'stop <run-id>' stops a run.";

export const stopCommand: CommandSpec = {
  kind: 'command',
  name: 'stop',
  summary: 'stop a bosun run (a bare stop does not stop the agent)',
  usage: 'stop <run-id>',
  examples: ['stop 42'],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const [runId] = positionals;
    if (runId === undefined) {
      const item: ShutdownItem = {
        type: 'shutdown',
        graceful: false,
        message: AGENT_KEEPS_RUNNING,
      };
      ctx.emit(item);
      throw new CommandFailure(
        'stop: refused; the agent keeps running (see the message above)',
        STATUS.FAILED,
      );
    }
    mustBeWritable(ctx.deps, 'stop');
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
