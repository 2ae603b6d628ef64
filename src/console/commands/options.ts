// `options [name [value]]`: the console's options as Arthas's global options (level, type, name,
// value, summary, description); setting one answers with Arthas's changeResult.
import type { CommandSpec } from '../command.ts';
import type { OptionsItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import type { ConsoleState } from './support/console-state.ts';

export function createOptionsCommand(state: ConsoleState): CommandSpec {
  return {
    kind: 'command',
    name: 'options',
    summary: "the console's options: command defaults (settable) and limits (read-only)",
    usage: 'options [<name> [<value>]]',
    examples: ['options', 'options dashboard-interval', 'options dashboard-interval 1000'],
    positionals: { min: 0, max: 2 },
    async run(ctx, { positionals }) {
      const options = state.options(ctx.deps.config);
      const [name, value] = positionals;
      if (value === undefined) {
        const all = options.list();
        const shown = name === undefined ? all : all.filter((o) => o.name === name);
        // Arthas lists nothing, successfully, for an option name it does not know.
        const item: OptionsItem = { type: 'options', options: shown };
        ctx.emit(item);
        return;
      }
      if (name === undefined) throw new CommandFailure('options: missing name', STATUS.BAD_ARGS);
      const item: OptionsItem = { type: 'options', changeResult: options.set(name, value) };
      ctx.emit(item);
    },
  };
}
