// A console job id argument, shared by kill, fg and bg.
import { intOption } from '../../command.ts';
import { CommandFailure, STATUS } from '../../model.ts';

/** A console job id argument (`3` or `%3`, as a shell writes it). */
export function jobIdArg(command: string, arg: string | undefined): number {
  const id = intOption(arg?.replace(/^%/, ''), `${command}: job id`, {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  });
  if (id === undefined) {
    throw new CommandFailure(`${command}: give a job id; list jobs with 'jobs'`, STATUS.BAD_ARGS);
  }
  return id;
}
