// `bg [job]`: moves a foreground console job (the newest other than this one when none is given) to
// the background, where it keeps running.
import type { CommandSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { jobIdArg } from './support/job-id.ts';

export const bgCommand: CommandSpec = {
  kind: 'command',
  name: 'bg',
  summary: 'move a foreground console job to the background',
  usage: 'bg [<job-id>]',
  examples: ['bg', 'bg 3'],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const id =
      positionals[0] === undefined
        ? ctx.session
            .jobs()
            .filter((j) => !j.background && j.id !== ctx.jobId)
            .at(-1)?.id
        : jobIdArg('bg', positionals[0]);
    if (id === undefined) {
      throw new CommandFailure("bg: no foreground job; list jobs with 'jobs'", STATUS.FAILED);
    }
    const error = ctx.session.background(id);
    if (error !== undefined) throw new CommandFailure(`bg: ${error}`, STATUS.FAILED);
    ctx.emit({ type: 'message', message: `job ${id} is in the background` });
  },
};
