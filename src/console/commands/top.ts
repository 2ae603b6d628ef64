// `top [-n count]`: the host's busiest processes (one-shot, sorted by CPU).
import { processesCommand } from './support/processes.ts';

export const topCommand = processesCommand('top', 'cpu', 20);
