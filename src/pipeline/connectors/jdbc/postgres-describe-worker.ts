// A worker thread that describes a query on PostgreSQL for postgres-driver.ts's synchronous
// describe(): it answers on a message port, then wakes the blocked caller through a shared int.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ClientConfig } from 'pg';
import { boundsColumn, type Description, type DescribeRequest } from './driver.ts';
import { postgresType } from './jdbc-types.ts';

export interface DescribeJob {
  readonly config: ClientConfig;
  readonly request: DescribeRequest;
  /** Set to 1 (and notified) once the answer is on the port. */
  readonly done: Int32Array;
  readonly port: MessagePort;
}

export type DescribeReply =
  | { readonly ok: true; readonly description: Description }
  | { readonly ok: false; readonly error: string };

const job = workerData as DescribeJob;
let reply: DescribeReply;
try {
  reply = { ok: true, description: await describe(job.config, job.request) };
} catch (err) {
  reply = { ok: false, error: messageOf(err) };
}
job.port.postMessage(reply);
job.port.close();
Atomics.store(job.done, 0, 1);
Atomics.notify(job.done, 0);

async function describe(config: ClientConfig, request: DescribeRequest): Promise<Description> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(config);
  client.on('error', () => {});
  await client.connect();
  try {
    const result = await client.query({
      text: `SELECT * FROM (${request.sql}) AS bosun_describe LIMIT 0`,
      rowMode: 'array',
    });
    const columns = result.fields.map((f) => ({
      name: f.name,
      type: postgresType(f.dataTypeID, f.dataTypeModifier),
    }));
    const primaryKey: string[] = [];
    if (request.table !== undefined) {
      const keys = await client.query<{ attname: string }>(
        `SELECT a.attname FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary
          ORDER BY array_position(i.indkey::int2[], a.attnum)`,
        [request.table],
      );
      for (const row of keys.rows) primaryKey.push(row.attname);
    }
    let bounds: Description['bounds'];
    const column = boundsColumn(columns, request.boundsOf);
    if (column !== undefined) {
      const b = await client.query<{ min: string | null; max: string | null }>(
        `SELECT min(${column})::text AS min, max(${column})::text AS max FROM (${request.sql}) AS bosun_bounds`,
      );
      const row = b.rows[0];
      bounds = { min: toBound(row?.min ?? null), max: toBound(row?.max ?? null) };
    }
    return { columns, primaryKey, ...(bounds === undefined ? {} : { bounds }) };
  } finally {
    await client.end().catch(() => {});
  }
}

function toBound(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.message === '') {
    return err.errors.map(messageOf).join('; ') || 'connection failed';
  }
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
