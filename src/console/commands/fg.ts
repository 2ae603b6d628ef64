// `fg [job]`: brings a background console job (the newest when none is given) to the foreground.
import type { CommandSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { jobIdArg } from './support/job-id.ts';

export const fgCommand: CommandSpec = {
  kind: 'command',
  name: 'fg',
  summary: 'bring a background console job to the foreground',
  usage: 'fg [<job-id>]',
  examples: ['fg', 'fg 3'],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const id =
      positionals[0] === undefined
        ? ctx.session
            .jobs()
            .filter((j) => j.background && j.id !== ctx.jobId)
            .at(-1)?.id
        : jobIdArg('fg', positionals[0]);
    if (id === undefined) {
      throw new CommandFailure("fg: no background job; list jobs with 'jobs'", STATUS.FAILED);
    }
    const error = ctx.session.foreground(id);
    if (error !== undefined) throw new CommandFailure(`fg: ${error}`, STATUS.FAILED);
    ctx.emit({ type: 'message', message: `job ${id} is in the foreground` });
  },
};
