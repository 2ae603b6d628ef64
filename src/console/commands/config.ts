// `config [key]`: the agent's effective configuration, with the token and store credentials masked.
import { redactConfig } from '../../config.ts';
import type { CommandSpec } from '../command.ts';
import type { ConfigItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';

export const configCommand: CommandSpec = {
  kind: 'command',
  name: 'config',
  summary: "the agent's effective configuration (secrets masked)",
  usage: 'config [<key>]',
  examples: ['config', 'config intervalMs'],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const all = redactConfig(ctx.deps.config);
    const [key] = positionals;
    if (key !== undefined && !Object.hasOwn(all, key)) {
      throw new CommandFailure(
        `config: no setting '${key}'; type 'config' to list them`,
        STATUS.FAILED,
      );
    }
    const config: Record<string, unknown> = {};
    for (const k of key === undefined ? Object.keys(all) : [key]) {
      // JSON would drop undefined values; null keeps the key visible ("not set").
      config[k] = all[k] ?? null;
    }
    const item: ConfigItem = { type: 'config', config };
    ctx.emit(item);
  },
};
