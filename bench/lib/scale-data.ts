// Fills a migrated store with history for bench/scale.ts: jobs (nine in ten commands on an `every`
// schedule, one in ten SeaTunnel-style pipelines), and finished runs spread over the last 20 days
// (inside the default 30-day retention and 100 runs per job). Rows go straight into the store's
// tables in batched multi-row inserts inside one transaction: through HTTP the 1,000,000 runs would
// take hours, and the agent under test would be measuring its own history being written.
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import pg from 'pg';
import { toJobSpec } from '../../src/jobs/job-spec.ts';

export interface ScaleSize {
  jobs: number;
  runs: number;
}

/** What the generated history holds that a benchmark's requests refer to. */
export interface ScaleFixture {
  /** A job id in the middle of the id order: a cursor that is not the first page. */
  middleJobId: string;
  /** A name prefix that matches about 10 jobs. */
  namePrefix: string;
  pipelineJobs: number;
}

/** Bulk writes inside one transaction, each backend its fastest way. */
interface BulkWriter {
  insert(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  /** The columns a table has now: the generator fills only what the schema has. */
  columns(table: string): Promise<Set<string>>;
}

const EPOCH_MS = Date.UTC(2024, 0, 1);
const SEQ_SPAN = 4096;
const DAY_MS = 86_400_000;
const HISTORY_MS = 20 * DAY_MS;
const NODE_ID = 'bench-node-0';
/** Command jobs fire weekly. */
const EVERY_MS = 7 * DAY_MS;
/** Rows per INSERT: well under PostgreSQL's 65,535 parameters at 16 columns. */
const BATCH = 1000;

const PIPELINE_CONFIG = JSON.stringify({
  env: { parallelism: 1, 'job.mode': 'BATCH' },
  source: [{ plugin_name: 'FakeSource', 'row.num': 10, schema: { fields: { id: 'int' } } }],
  sink: [{ plugin_name: 'Console' }],
});

/** An id as src/ids.ts makes them, for a time and a sequence number. */
const idAt = (ms: number, seq: number): number => (ms - EPOCH_MS) * SEQ_SPAN + (seq % SEQ_SPAN);

const jobName = (i: number, pipeline: boolean): string =>
  pipeline ? `seatunnel-${1000 + i}` : `job-${String(i).padStart(7, '0')}`;

export async function fillStore(
  db: BulkWriter,
  size: ScaleSize,
  now: number,
): Promise<ScaleFixture> {
  const jobColumns = await db.columns('jobs');
  const commandSpec = toJobSpec(
    { name: 'x', cmd: 'echo scale', schedules: [{ kind: 'every', everySec: EVERY_MS / 1000 }] },
    'UTC',
  );
  const { schedules: [scheduleSpec] = [], ...commandRest } = commandSpec;
  const { schedules: _none, ...pipelineRest } = toJobSpec(
    { name: 'x', kind: 'pipeline', pipeline: { format: 'json', config: PIPELINE_CONFIG } },
    'UTC',
  );
  const firstJobAt = now - HISTORY_MS - size.jobs * 2 - 1000;
  const jobIds: number[] = [];
  const scheduleIds: (number | null)[] = [];
  let pipelineJobs = 0;

  const extraJobColumn = jobColumns.has('kind') && !(await isGenerated(db)) ? ['kind'] : [];
  for (let start = 0; start < size.jobs; start += BATCH) {
    const rows: unknown[][] = [];
    const schedules: unknown[][] = [];
    for (let i = start; i < Math.min(size.jobs, start + BATCH); i++) {
      const pipeline = i % 10 === 9;
      const created = firstJobAt + i * 2;
      const id = idAt(created, i);
      jobIds.push(id);
      const spec = pipeline
        ? { ...pipelineRest, name: jobName(i, true) }
        : { ...commandRest, name: jobName(i, false) };
      rows.push([
        id,
        spec.name,
        JSON.stringify(spec),
        1,
        spec.overlap,
        1,
        created,
        created,
        ...(extraJobColumn.length > 0 ? [spec.kind] : []),
      ]);
      if (pipeline) {
        pipelineJobs++;
        scheduleIds.push(null);
      } else {
        const sid = idAt(created + 1, i);
        scheduleIds.push(sid);
        // The next fire is an hour away at least: the agent under test runs nothing while measured.
        const next = now + 3600_000 + ((i * 7919) % EVERY_MS);
        schedules.push([sid, id, 0, JSON.stringify(scheduleSpec), created, 1, next]);
      }
    }
    await db.insert('jobs', [...JOB_COLUMNS, ...extraJobColumn], rows);
    if (schedules.length > 0) await db.insert('schedules', SCHEDULE_COLUMNS, schedules);
  }

  const step = HISTORY_MS / Math.max(1, size.runs);
  for (let start = 0; start < size.runs; start += BATCH) {
    const rows: unknown[][] = [];
    for (let k = start; k < Math.min(size.runs, start + BATCH); k++) {
      // A spread that is not a cycle: consecutive runs belong to unrelated jobs.
      const j = (k * 2_654_435_761) % size.jobs;
      const at = Math.floor(now - HISTORY_MS + k * step);
      const schedule = scheduleIds[j] ?? null;
      const outcome = (k ^ (k >>> 3)) % 20;
      const state = outcome === 0 ? 'failed' : outcome === 1 ? 'canceled' : 'succeeded';
      const exit = state === 'failed' ? 1 : state === 'canceled' ? null : 0;
      rows.push([
        idAt(at, k),
        jobIds[j],
        schedule,
        schedule === null ? 'manual' : 'schedule',
        state,
        1,
        at,
        at,
        at,
        at + 5,
        at + 1500,
        exit,
        NODE_ID,
        1,
        120,
        // Bytes said stored (the chunks are left out): retention sums them, as it would real ones.
        120,
      ]);
    }
    await db.insert('runs', RUN_COLUMNS, rows);
  }
  const middle = jobIds[Math.floor(size.jobs / 2)] ?? jobIds[0] ?? 0;
  // job-000012x: ten names (job-0000120 … job-0000129) whatever the size.
  return { middleJobId: String(middle), namePrefix: 'job-000012', pipelineJobs };
}

const JOB_COLUMNS = [
  'id',
  'name',
  'spec',
  'enabled',
  'overlap',
  'version',
  'created_at',
  'updated_at',
];
const SCHEDULE_COLUMNS = [
  'id',
  'job_id',
  'position',
  'spec',
  'anchor_at',
  'enabled',
  'next_fire_at',
];
const RUN_COLUMNS = [
  'id',
  'job_id',
  'schedule_id',
  'trigger',
  'state',
  'attempt',
  'scheduled_for',
  'run_at',
  'created_at',
  'started_at',
  'finished_at',
  'exit_code',
  'node_id',
  'single_flight',
  'log_bytes',
  'log_stored',
];

/** One multi-row INSERT with `$n` parameters (PostgreSQL: one round trip per batch). */
function multiRowInsert(table: string, columns: readonly string[], rows: readonly unknown[][]) {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const marks = row.map((value) => {
      params.push(value);
      return `$${params.length}`;
    });
    return `(${marks.join(', ')})`;
  });
  return {
    sql: `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`,
    params,
  };
}

/** Whether jobs.kind is computed from the spec by the schema (then it is not written). */
async function isGenerated(db: BulkWriter): Promise<boolean> {
  return (await db.columns('jobs:generated')).has('kind');
}

/** Fills a migrated SQLite store file in one transaction. */
export async function fillSqlite(file: string, size: ScaleSize, now: number) {
  const db = new DatabaseSync(file);
  try {
    // A throwaway fill: no fsync, and a cache that holds the indexes being written.
    db.exec('pragma synchronous = off; pragma cache_size = -262144');
    db.exec('begin');
    const writer: BulkWriter = {
      // One prepared single-row statement per table: SQLite compiles a long VALUES list in time
      // that grows faster than its length (1,000 rows a statement: 10× slower than 20).
      insert: async (table, columns, rows) => {
        const marks = columns.map((_, i) => `?${i + 1}`).join(', ');
        const stmt = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${marks})`);
        for (const row of rows) stmt.run(...(row as SQLInputValue[]));
      },
      columns: async (table) => {
        const [name, generatedOnly] = table.split(':');
        // table_xinfo lists generated columns too (hidden 2 or 3); table_info leaves them out.
        const rows = db.prepare(`select name, hidden from pragma_table_xinfo(?)`).all(name!) as {
          name: string;
          hidden: number;
        }[];
        return new Set(
          rows.filter((r) => (generatedOnly ? r.hidden >= 2 : true)).map((r) => r.name),
        );
      },
    };
    const fixture = await fillStore(writer, size, now);
    db.exec('commit');
    return fixture;
  } finally {
    db.close();
  }
}

/** Fills a migrated PostgreSQL store in one transaction, then analyses it as autovacuum would. */
export async function fillPostgres(url: string, size: ScaleSize, now: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    const writer: BulkWriter = {
      insert: async (table, columns, rows) => {
        const { sql, params } = multiRowInsert(table, columns, rows);
        await client.query(sql, params);
      },
      columns: async (table) => {
        const [name, generatedOnly] = table.split(':');
        const { rows } = await client.query<{ column_name: string; is_generated: string }>(
          `select column_name, is_generated from information_schema.columns
           where table_schema = current_schema() and table_name = $1`,
          [name],
        );
        return new Set(
          rows
            .filter((r) => (generatedOnly ? r.is_generated === 'ALWAYS' : true))
            .map((r) => r.column_name),
        );
      },
    };
    const fixture = await fillStore(writer, size, now);
    await client.query('commit');
    await client.query('vacuum analyze');
    return fixture;
  } finally {
    await client.end();
  }
}
