// `cmd | wc -l`: a pipe stage counting the lines of what runs before it (only -l, as Arthas's wc).
import type { StageSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';

export const wcStage: StageSpec = {
  kind: 'stage',
  name: 'wc',
  summary: 'count lines (after a pipe: cmd | wc -l)',
  usage: 'cmd | wc -l',
  optionHelp: ['-l, --lines  count lines'],
  examples: ['ps | wc -l'],
  options: { lines: { type: 'boolean', short: 'l' } },
  create({ values }) {
    if (values.lines !== true) {
      throw new CommandFailure("wc: only line counts are supported; type 'wc -l'", STATUS.BAD_ARGS);
    }
    let count = 0;
    return {
      line() {
        count += 1;
        return [];
      },
      end() {
        return [String(count)];
      },
    };
  },
};
