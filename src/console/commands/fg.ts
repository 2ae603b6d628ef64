// `fg [job]`: brings a background console job (the newest when none is given) to the foreground.
import { moveJobCommand } from './support/move-job.ts';

export const fgCommand = moveJobCommand('foreground');
