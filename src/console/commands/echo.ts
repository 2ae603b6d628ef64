// `echo <text>...`: prints its arguments, joined by spaces.
import type { CommandSpec } from '../command.ts';

export const echoCommand: CommandSpec = {
  kind: 'command',
  name: 'echo',
  summary: 'print the arguments',
  usage: 'echo [<text>...]',
  examples: ["echo 'hello world'"],
  positionals: { min: 0, max: 1000 },
  async run(ctx, { positionals }) {
    ctx.emit({ type: 'echo', content: positionals.join(' ') });
  },
};
