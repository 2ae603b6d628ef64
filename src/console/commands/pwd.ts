// `pwd`: the agent's working directory (Arthas's pwd).
import type { CommandSpec } from '../command.ts';
import type { PwdItem } from '../items.ts';

export const pwdCommand: CommandSpec = {
  kind: 'command',
  name: 'pwd',
  summary: "the agent's working directory",
  usage: 'pwd',
  async run(ctx) {
    const item: PwdItem = { type: 'pwd', workingDir: process.cwd() };
    ctx.emit(item);
  },
};
