// What `fg` and `bg` share: pick the job (the one given, or the newest that can move) and move it
// with the session's own foreground/background rules.
import type { CommandSpec } from '../../command.ts';
import { CommandFailure, STATUS } from '../../model.ts';
import { jobIdArg } from './job-id.ts';

export function moveJobCommand(to: 'foreground' | 'background'): CommandSpec {
  const name = to === 'foreground' ? 'fg' : 'bg';
  // fg takes a background job, bg a foreground one.
  const from = to === 'foreground' ? 'background' : 'foreground';
  return {
    kind: 'command',
    name,
    summary:
      to === 'foreground'
        ? 'bring a background console job to the foreground'
        : 'move a foreground console job to the background',
    usage: `${name} [<job-id>]`,
    examples: [name, `${name} 3`],
    positionals: { min: 0, max: 1 },
    async run(ctx, { positionals }) {
      const id =
        positionals[0] === undefined
          ? ctx.session
              .jobs()
              .filter((j) => j.background === (from === 'background') && j.id !== ctx.jobId)
              .at(-1)?.id
          : jobIdArg(name, positionals[0]);
      if (id === undefined) {
        throw new CommandFailure(`${name}: no ${from} job; list jobs with 'jobs'`, STATUS.FAILED);
      }
      const error = to === 'foreground' ? ctx.session.foreground(id) : ctx.session.background(id);
      if (error !== undefined) throw new CommandFailure(`${name}: ${error}`, STATUS.FAILED);
      ctx.emit({ type: 'message', message: `job ${id} is in the ${to}` });
    },
  };
}
