// `kill <job>`: interrupts one of this session's console jobs.
import type { CommandSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { jobIdArg } from './support/job-id.ts';

export const killCommand: CommandSpec = {
  kind: 'command',
  name: 'kill',
  summary: "interrupt one of this session's console jobs",
  usage: 'kill <job-id>',
  examples: ['kill 3'],
  positionals: { min: 1, max: 1 },
  async run(ctx, { positionals }) {
    const id = jobIdArg('kill', positionals[0]);
    if (!ctx.session.kill(id)) {
      throw new CommandFailure(`kill: no job ${id}; list jobs with 'jobs'`, STATUS.FAILED);
    }
    ctx.emit({ type: 'message', message: `job ${id} interrupted` });
  },
};
