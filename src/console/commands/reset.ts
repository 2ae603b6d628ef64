// `reset [<class-pattern>]`: Arthas's undoing of its instrumentation. bosun's agent instruments no
// class, so it resets nothing, successfully.
import type { CommandSpec } from '../command.ts';
import type { ResetItem } from '../items.ts';

export const resetCommand: CommandSpec = {
  kind: 'command',
  name: 'reset',
  summary: 'undo class instrumentation (Arthas): bosun instruments none, so nothing to undo',
  usage: 'reset [<class-pattern>]',
  options: { regex: { type: 'boolean', short: 'E' } },
  positionals: { min: 0, max: 1 },
  async run(ctx) {
    const item: ResetItem = {
      type: 'reset',
      affect: { cost: 0, methodCount: 0, classCount: 0, listenerId: 0 },
    };
    ctx.emit(item);
  },
};
