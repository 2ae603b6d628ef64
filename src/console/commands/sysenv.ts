// `sysenv [name]`: the agent's environment, sorted, with the values of secret-looking names masked.
import { MASK, SECRET_NAME } from '../../jobs/job-spec.ts';
import type { CommandSpec } from '../command.ts';
import type { SysenvItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';

export const sysenvCommand: CommandSpec = {
  kind: 'command',
  name: 'sysenv',
  summary: "the agent's environment variables (secrets masked)",
  usage: 'sysenv [<name>]',
  examples: ['sysenv', 'sysenv PATH', 'sysenv | grep -i proxy'],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const [name] = positionals;
    const env: Record<string, string> = {};
    const names = Object.keys(ctx.deps.env)
      .filter((k) => ctx.deps.env[k] !== undefined && (name === undefined || k === name))
      .sort();
    if (name !== undefined && names.length === 0) {
      throw new CommandFailure(
        `sysenv: no variable '${name}'; type 'sysenv' to list them`,
        STATUS.FAILED,
      );
    }
    for (const k of names) env[k] = SECRET_NAME.test(k) ? MASK : (ctx.deps.env[k] ?? '');
    const item: SysenvItem = { type: 'sysenv', env };
    ctx.emit(item);
  },
};
