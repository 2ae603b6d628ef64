// The Console sink: every row to the run's log in SeaTunnel's format (specs/seatunnel.md §5),
// `log.print.data` (true) and `log.print.delay.ms` (0).
import { setTimeout as sleep } from 'node:timers/promises';
import { optionReader, type SinkFactory } from '../connector.ts';
import { textOf } from '../text-value.ts';

export const consoleSink: SinkFactory = {
  role: 'sink',
  name: 'Console',
  create(ctx, fields, subtask) {
    const options = optionReader(ctx);
    const print = options.boolean('log.print.data', true);
    const delay = options.int('log.print.delay.ms', 0, 0);
    let rowIndex = 0;
    ctx.log(
      `output rowType: ${fields.map((f) => `${f.name}<${f.type.kind.toUpperCase()}>`).join(', ')}`,
    );
    return {
      async write(rows) {
        for (const row of rows) {
          rowIndex += 1;
          if (print) {
            const values = fields.map((f, i) => textOf(f.type, row.values[i])).join(', ');
            ctx.log(
              `subtaskIndex=${subtask}  rowIndex=${rowIndex}:  SeaTunnelRow#tableId=${row.table} SeaTunnelRow#kind=${row.kind} : ${values}`,
            );
          }
          if (delay > 0) await sleep(delay);
        }
      },
      prepareCommit: async () => null,
      commit: async () => {},
      abort: async () => {},
      close: async () => {},
    };
  },
};
