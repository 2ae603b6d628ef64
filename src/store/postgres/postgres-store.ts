// The cluster Store: one PostgreSQL schema shared by every node, through a pg.Pool. All times come from
// the database clock, and migrations take an advisory lock so several nodes may start at once.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { AgentError } from '../../errors.ts';
import {
  BACKFILL_PAUSE_MS,
  BACKFILL_START,
  backfillOf,
  checkMigrations,
  pendingMigrations,
} from '../migrations.ts';
import type { Store, StoreCapabilities } from '../store.ts';
import type { NodeRecord, NodeRegistration } from '../../model/nodes.ts';
import { maskUrl } from '../../mask-url.ts';
import { createJobsRepository } from '../jobs/jobs-repository.ts';
import {
  BACKFILL_SQL,
  CREATE_SCHEMA_BACKFILLS,
  CREATE_SCHEMA_MIGRATIONS,
  MIGRATIONS,
} from './migrations.ts';
import { createSchema, setLocalSearchPath, SQL } from './queries.ts';
import { createPostgresExecutor, inTransaction } from './sql-executor.ts';
import {
  createChangeListener,
  notifyCall,
  notifyStatement,
  type ChangeListener,
} from './notifications.ts';
import { hostPortOf, toStoreError, type PgTarget } from './to-store-error.ts';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The schema holding bosun's tables, created by migrate() if missing; tests use one per file. @default 'public' */
  schema?: string;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
  /** How long to wait for a new connection before failing, ms. @default 10000 */
  connectTimeoutMs?: number;
  /** How long the client waits for a query's answer, ms; migrations wait without bound. @default 12000 */
  queryTimeoutMs?: number;
  /** Told each operation's duration and, when it failed, its error (the agent's metrics). */
  onOperation?: (op: string, seconds: number, error?: AgentError) => void;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({
  kind: 'postgres',
  sharedByNodes: true,
  skipLocked: true,
});

/**
 * Bounds on every connection, so that a stalled or cut-off agent holds no lock for long and no query
 * of its hangs: the server ends a statement after 10 s, a lock wait after 2 s (the caller retries),
 * and a session left idle inside a transaction (an agent SIGSTOPped between two statements) after 5 s,
 * releasing its row locks well within the run lease. The client gives up on an answer after 12 s (a
 * blackholed connection sends no error), and TCP keepalive finds a dead peer of an idle connection.
 */
export const SESSION_BOUNDS = Object.freeze({
  statement_timeout: 10_000,
  lock_timeout: 2000,
  idle_in_transaction_session_timeout: 5000,
});
const QUERY_TIMEOUT_MS = 12_000;
const KEEPALIVE_IDLE_MS = 5000;

// A plain lowercase identifier: safe to put in DDL and in the search_path startup option unquoted.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A nodes row as pg returns it: bigint columns are strings. */
interface NodeRow {
  id: string;
  hostname: string;
  address: string;
  version: string;
  pid: number;
  labels: string;
  slots: number;
  registered_at: string;
  started_at: string;
  heartbeat_at: string;
  state: string;
  sample_json: string | null;
  sample_at: string | null;
}

export function createPostgresStore(opts: PostgresStoreOptions): Store {
  const schema = opts.schema ?? 'public';
  const target: PgTarget = { hostPort: hostPortOf(opts.url), maskedUrl: maskUrl(opts.url) };
  if (!SCHEMA_NAME.test(schema)) {
    throw new AgentError(
      'INVALID_CONFIG',
      `schema "${schema}" is not a plain lowercase identifier (letters, digits, _; at most 63)`,
    );
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: 'bosun',
    ...SESSION_BOUNDS,
    query_timeout: opts.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    // A query is written as soon as it is issued, not after the answer to the one before: the
    // statements a transaction issues together (its begin and first read; its last writes and the
    // commit) cost one round trip (sql-executor.ts).
    pipeline: true,
    // Sent at connection start, so every pooled connection sees bosun's tables unqualified.
    options: `-c search_path=${schema}`,
  });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query reconnects
  // or fails with a clear error. Without a listener the 'error' event would crash the process.
  pool.on('error', () => {});
  let closed = false;
  /** This store in the NOTIFY payloads of its own changes, which its watchers do not hear. */
  const source = randomBytes(6).toString('hex');
  /** The LISTEN connection, opened by the first watch(). */
  let listener: ChangeListener | undefined;

  async function run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (closed) {
      throw new AgentError(
        'STORE',
        `cannot ${op}: the PostgreSQL store at ${target.hostPort} is closed`,
      );
    }
    const started = performance.now();
    try {
      const result = await fn();
      opts.onOperation?.(op, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      const error = toStoreError(err, op, target);
      opts.onOperation?.(op, (performance.now() - started) / 1000, error);
      throw error;
    }
  }

  return {
    ...createJobsRepository(
      createPostgresExecutor(pool, run, {
        statement: (changes) => notifyStatement(schema, source, changes),
        expression: (changes) => notifyCall(schema, source, changes),
      }),
    ),
    capabilities: CAPABILITIES,

    watch: (watcher) => {
      if (closed) return () => {};
      listener ??= createChangeListener({
        client: {
          connectionString: opts.url,
          connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
          application_name: 'bosun-listen',
          ...SESSION_BOUNDS,
          keepAlive: true,
          keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
        },
        schema,
        source,
      });
      return listener.subscribe(watcher);
    },

    migrate: () => run('migrate', () => migrate(pool, schema, target.maskedUrl)),

    schemaVersion: () =>
      run('read the schema version', async () => {
        const present = await pool.query<{ present: boolean }>(SQL.hasMigrationsTable);
        if (present.rows[0]?.present !== true) return 0;
        const result = await pool.query<{ version: number }>(SQL.schemaVersion);
        return Number(result.rows[0]?.version ?? 0);
      }),

    now: () =>
      run('read the clock', async () => {
        const result = await pool.query<{ ms: string }>(SQL.now);
        return Number(result.rows[0]?.ms);
      }),

    registerNode: (node) =>
      run('register a node', async () => {
        const result = await pool.query<NodeRow>(SQL.registerNode, registrationParams(node));
        return toNodeRecord(firstRow(result.rows));
      }),

    heartbeat: (nodeId, sample) =>
      run('record a heartbeat', async () => {
        const result = await pool.query(SQL.heartbeat, [
          nodeId,
          sample?.json ?? null,
          sample?.at ?? null,
        ]);
        if (result.rowCount === 0) {
          throw new AgentError(
            'NOT_FOUND',
            `node ${nodeId} is not registered; register it before its heartbeats`,
          );
        }
      }),

    deregisterNode: (nodeId) =>
      run('deregister a node', async () => {
        await pool.query(SQL.deregisterNode, [nodeId]);
      }),

    getNode: (nodeId) =>
      run('read a node', async () => {
        const result = await pool.query<NodeRow>(SQL.getNode, [nodeId]);
        const row = result.rows[0];
        return row === undefined ? undefined : toNodeRecord(row);
      }),

    listNodes: () =>
      run('list nodes', async () => {
        const result = await pool.query<NodeRow>(SQL.listNodes);
        return result.rows.map(toNodeRecord);
      }),

    setNodeLabels: (nodeId, labels) =>
      run("set a node's labels", async () => {
        const result = await pool.query(SQL.setNodeLabels, [nodeId, JSON.stringify(labels)]);
        if (result.rowCount === 0) {
          throw new AgentError('NOT_FOUND', `node ${nodeId} is not registered; nothing to label`);
        }
      }),

    getSetting: (key) =>
      run('read a setting', async () => {
        const result = await pool.query<{ value: string }>(SQL.getSetting, [key]);
        return result.rows[0]?.value;
      }),

    setSetting: (key, value) =>
      run('write a setting', async () => {
        await pool.query(SQL.setSetting, [key, value]);
      }),

    setSettingIfAbsent: (key, value) =>
      run('write a setting', async () => {
        await pool.query(SQL.setSettingIfAbsent, [key, value]);
        const result = await pool.query<{ value: string }>(SQL.getSetting, [key]);
        return result.rows[0]?.value ?? value;
      }),

    close: async () => {
      if (closed) return;
      closed = true;
      await listener?.close();
      await pool.end();
    },
  };
}

/**
 * Creates the schema if missing and applies pending migrations one at a time, each under an advisory
 * lock: a migration's schema statements and its version in one transaction (a second node starting
 * at the same moment waits, then finds nothing left to do); then its backfill, if it has one, a
 * bounded batch per transaction under the same lock, with the event loop free between two. A
 * backfill cut short is finished from where it stopped (schema_backfills) before any later migration.
 */
async function migrate(pool: pg.Pool, schema: string, where: string): Promise<void> {
  checkMigrations(MIGRATIONS);
  for (;;) {
    const applied = await underMigrationLock(pool, schema, async (client) => {
      // Checked first: CREATE SCHEMA IF NOT EXISTS demands the CREATE right even when the schema exists.
      const exists = await client.query(SQL.schemaExists, [schema]);
      if (exists.rowCount === 0) await client.query(createSchema(schema));
      await client.query(setLocalSearchPath(schema));
      await client.query(CREATE_SCHEMA_MIGRATIONS);
      await client.query(CREATE_SCHEMA_BACKFILLS);
      const versions = (await client.query<{ version: number }>(SQL.appliedVersions)).rows.map(
        (row) => Number(row.version),
      );
      // Refuses a database of a newer bosun first; then a backfill under way goes before any
      // later migration, which may count on it.
      const m = pendingMigrations(MIGRATIONS, versions, where)[0];
      if ((await client.query(BACKFILL_SQL.next)).rowCount !== 0) return 'backfill';
      if (m === undefined) return 'done';
      await client.query(m.sql);
      await client.query(SQL.recordMigration, [m.version, m.name]);
      if (m.backfill !== undefined) {
        await client.query(BACKFILL_SQL.start, [m.version, BACKFILL_START]);
      }
      return 'applied';
    });
    if (applied === 'done') return;
    await finishBackfills(pool, schema);
  }
}

/** Every backfill under way, a batch per transaction, the event loop free between two. */
async function finishBackfills(pool: pg.Pool, schema: string): Promise<void> {
  for (;;) {
    const more = await underMigrationLock(pool, schema, async (client) => {
      await client.query(setLocalSearchPath(schema));
      // Read again under the lock: another node may have done this batch, or the whole backfill.
      const row = (await client.query<{ version: number; after: string }>(BACKFILL_SQL.next))
        .rows[0];
      if (row === undefined) return false;
      const backfill = backfillOf(MIGRATIONS, Number(row.version));
      const bound = await client.query<{ upto: string | null }>(BACKFILL_SQL.upTo, [
        row.after,
        backfill.batchJobs,
      ]);
      const upTo = bound.rows[0]?.upto ?? null;
      if (upTo === null) {
        await client.query(BACKFILL_SQL.done, [row.version]);
        return true;
      }
      for (const sql of backfill.statements) await client.query(sql, [row.after, upTo]);
      await client.query(BACKFILL_SQL.advance, [row.version, upTo]);
      return true;
    });
    if (!more) return;
    await sleep(BACKFILL_PAUSE_MS);
  }
}

/** A client whose queries wait for their answer without bound. */
interface MigrationClient {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/** setTimeout's longest delay (~24.8 days): pg takes no 0 for "none". */
const UNBOUNDED_MS = 2 ** 31 - 1;

/**
 * One transaction under the schema's migration lock. Another node's migration is waited for, and a
 * migration may take long (an index build over a large `runs`): no server bound, and none of the
 * pool's client-side query_timeout either.
 */
function underMigrationLock<T>(
  pool: pg.Pool,
  schema: string,
  fn: (client: MigrationClient) => Promise<T>,
): Promise<T> {
  return inTransaction(
    pool,
    'begin; set local lock_timeout = 0; set local statement_timeout = 0',
    async (client) => {
      const unbounded: MigrationClient = {
        // query_timeout per query: pg reads it, @types/pg does not list it.
        query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
          client.query<R>({ text, values, query_timeout: UNBOUNDED_MS } as pg.QueryConfig),
      };
      await unbounded.query(SQL.lockMigrations, [schema]);
      return fn(unbounded);
    },
  );
}

function registrationParams(node: NodeRegistration): unknown[] {
  return [
    node.id,
    node.hostname,
    node.address,
    node.version,
    node.pid,
    // null: none given, the stored ones stay (queries.ts).
    node.labels === undefined ? null : JSON.stringify(node.labels),
    node.slots ?? 0,
  ];
}

function firstRow<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new AgentError('INTERNAL', 'the statement returned no row');
  return row;
}

function toNodeRecord(row: NodeRow): NodeRecord {
  const record: NodeRecord = {
    id: row.id,
    hostname: row.hostname,
    address: row.address,
    version: row.version,
    pid: Number(row.pid),
    labels: JSON.parse(row.labels) as Record<string, string>,
    slots: Number(row.slots),
    registeredAt: Number(row.registered_at),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    state: row.state === 'down' ? 'down' : 'up',
  };
  if (row.sample_json !== null) record.sampleJson = row.sample_json;
  if (row.sample_at !== null) record.sampleAt = Number(row.sample_at);
  return record;
}
