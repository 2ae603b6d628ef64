// Run logs: chunks appended by the run's owner under its lease, read back in order.
import type { JobsStore } from '../store.ts';
import { idParam, toBuffer } from './rows.ts';
import { one, type SqlExecutor } from './sql.ts';

export type LogsPart = Pick<JobsStore, 'appendLog' | 'readLog'>;

export function createLogs(db: SqlExecutor): LogsPart {
  return {
    appendLog: (runId, token, chunks) =>
      db.tx('append to a run log', async (tx) => {
        const owned = await one(
          tx,
          `select id from runs where id = $1 and lease_token = $2 and state = 'running'`,
          [idParam(runId), token],
        );
        if (owned === undefined) return false;
        let bytes = 0;
        for (const chunk of chunks) {
          const added = await tx.run(
            'insert into run_log_chunks (run_id, seq, data) values ($1, $2, $3) on conflict do nothing',
            [idParam(runId), chunk.seq, chunk.data],
          );
          if (added === 1) bytes += chunk.data.byteLength;
        }
        await tx.run('update runs set log_stored = log_stored + $2 where id = $1', [
          idParam(runId),
          bytes,
        ]);
        return true;
      }),

    readLog: (runId) =>
      db.autocommit('read a run log', async (tx) => {
        const rows = await tx.all(
          'select data from run_log_chunks where run_id = $1 order by seq',
          [idParam(runId)],
        );
        return Buffer.concat(rows.map((row) => toBuffer(row.data)));
      }),
  };
}
