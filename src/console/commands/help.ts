// `help [command]`: the command list, or one command's help. Built over the registry it belongs to.
import { helpText, type CommandSpec, type ConsoleCommand } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';

export function createHelpCommand(commands: () => Iterable<ConsoleCommand>): CommandSpec {
  return {
    kind: 'command',
    name: 'help',
    summary: 'list the commands, or show how to use one',
    usage: 'help [<command>]',
    examples: ['help', 'help dashboard'],
    positionals: { min: 0, max: 1 },
    async run(ctx, { positionals }) {
      const all = [...commands()];
      const [name] = positionals;
      if (name === undefined) {
        const list = all
          .map((c) => ({ name: c.name, summary: c.summary }))
          .sort((a, b) => a.name.localeCompare(b.name));
        ctx.emit({ type: 'help', commands: list });
        return;
      }
      const spec = all.find((c) => c.name === name);
      if (spec === undefined) {
        throw new CommandFailure(
          `help: no command '${name}'; type 'help' for the list`,
          STATUS.FAILED,
        );
      }
      ctx.emit({ type: 'help', text: helpText(spec) });
    },
  };
}
