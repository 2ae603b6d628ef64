// `version`: the agent's bosun version.
import type { CommandSpec } from '../command.ts';

export const versionCommand: CommandSpec = {
  kind: 'command',
  name: 'version',
  summary: "the agent's bosun version",
  usage: 'version',
  async run(ctx) {
    ctx.emit({ type: 'version', version: ctx.deps.version });
  },
};
