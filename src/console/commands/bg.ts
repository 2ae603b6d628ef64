// `bg [job]`: moves a foreground console job (the newest other than this one when none is given) to
// the background, where it keeps running.
import { moveJobCommand } from './support/move-job.ts';

export const bgCommand = moveJobCommand('background');
