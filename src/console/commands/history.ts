// `history [n]`: the command lines run in this session, numbered, optionally only the last n.
import { intOption, MAX_COUNT, type CommandSpec } from '../command.ts';
import type { HistoryItem } from '../items.ts';

export const historyCommand: CommandSpec = {
  kind: 'command',
  name: 'history',
  summary: 'the commands run in this session',
  usage: 'history [<n>]',
  examples: ['history', 'history 10'],
  positionals: { min: 0, max: 1 },
  async run(ctx, { positionals }) {
    const all = ctx.session.history();
    const n = intOption(positionals[0], 'history: n', { min: 1, max: MAX_COUNT }) ?? all.length;
    const first = Math.max(0, all.length - n);
    const item: HistoryItem = { type: 'history', history: all.slice(first), first: first + 1 };
    ctx.emit(item);
  },
};
