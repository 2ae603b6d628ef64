// `tt`: Arthas's time tunnel, which records a method's invocations to replay them. bosun's agent has
// no Java classes to record: `tt -t` matches nothing, the record is empty (`tt -l`, `tt -s`), and no
// index exists (`tt -i`), each answered as Arthas answers an empty tunnel.
import { intOption, type CommandSpec } from '../command.ts';
import type { TimeTunnelItem } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { ENHANCER_OPTIONS, noClassAffected, noRows } from './support/no-classes.ts';

export const ttCommand: CommandSpec = {
  kind: 'command',
  name: 'tt',
  summary:
    "record and replay method calls (Arthas's): no Java classes here, so nothing is recorded",
  usage: 'tt -t <class-pattern> <method-pattern> | tt -l | tt -s <expr> | tt -i <index> [-p]',
  options: {
    ...ENHANCER_OPTIONS,
    classloader: { type: 'string', short: 'c' },
    'time-tunnel': { type: 'boolean', short: 't' },
    list: { type: 'boolean', short: 'l' },
    'delete-all': { type: 'boolean' },
    index: { type: 'string', short: 'i' },
    expand: { type: 'string', short: 'x' },
    sizeLimit: { type: 'string', short: 'M' },
    'watch-express': { type: 'string', short: 'w' },
    'search-express': { type: 'string', short: 's' },
    play: { type: 'boolean', short: 'p' },
    delete: { type: 'boolean', short: 'd' },
    'replay-times': { type: 'string' },
    'replay-interval': { type: 'string' },
  },
  positionals: { min: 0, max: 3 },
  async run(ctx, { values, positionals }) {
    const index = intOption(values.index, 'tt: -i', { min: 0, max: 2 ** 31 - 1 });
    if (values['time-tunnel'] === true) {
      if (positionals.length < 2) {
        throw new CommandFailure(
          'tt: -t needs a class pattern and a method pattern',
          STATUS.BAD_ARGS,
        );
      }
      noClassAffected(ctx, "To list a bosun job's runs, type 'runs <job>'.");
    }
    if (index !== undefined) {
      throw new CommandFailure(`Time fragment[${index}] does not exist.`, STATUS.EXCEPTION);
    }
    if (values['delete-all'] === true) {
      ctx.emit({ type: 'message', message: 'Time fragments are cleaned.' });
      noRows(ctx);
      return;
    }
    if (values.list === true || values['search-express'] !== undefined) {
      const item: TimeTunnelItem = { type: 'tt', timeFragmentList: [], first: true };
      ctx.emit(item);
      noRows(ctx);
      return;
    }
    throw new CommandFailure(
      "tt: give one of -t, -l, -s, -i or --delete-all; type 'tt -h'",
      STATUS.BAD_ARGS,
    );
  },
};
