// `ps [-n count]`: the host's processes by pid.
import { processesCommand } from './support/processes.ts';

export const psCommand = processesCommand('ps', 'pid', undefined);
