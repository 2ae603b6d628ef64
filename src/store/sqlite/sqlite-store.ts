// The embedded Store: one SQLite file through Node's built-in node:sqlite, in WAL mode. One agent owns
// it (not shared by nodes), so its clock is the agent's clock. Calls run synchronously behind the async port.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../clock.ts';
import { AgentError } from '../../errors.ts';
import {
  BACKFILL_PAUSE_MS,
  BACKFILL_START,
  backfillOf,
  checkMigrations,
  pendingMigrations,
  type Migration,
} from '../migrations.ts';
import type { Store, StoreCapabilities } from '../store.ts';
import type { NodeRecord, NodeRegistration } from '../../model/nodes.ts';
import { createJobsRepository } from '../jobs/jobs-repository.ts';
import {
  BACKFILL_SQL,
  CREATE_SCHEMA_BACKFILLS,
  CREATE_SCHEMA_MIGRATIONS,
  MIGRATIONS,
} from './migrations.ts';
import { SQL } from './queries.ts';
import { createSqliteExecutor } from './sql-executor.ts';

export interface SqliteStoreOptions {
  /** A database file (its directory is created if missing) or ':memory:'. */
  path: string;
  /** Supplies now() and every time the store writes. @default systemClock */
  clock?: Clock;
  /** How long a statement waits for another connection's write lock, ms. @default 5000 */
  busyTimeoutMs?: number;
  /** Told each operation's duration and, when it failed, its error (the agent's metrics). */
  onOperation?: (op: string, seconds: number, error?: AgentError) => void;
}

const CAPABILITIES: StoreCapabilities = Object.freeze({
  kind: 'sqlite',
  sharedByNodes: false,
  skipLocked: false,
});

type Row = Record<string, unknown>;
type Params = Record<string, SQLInputValue>;

export function createSqliteStore(opts: SqliteStoreOptions): Store {
  const clock = opts.clock ?? systemClock;
  const where = opts.path;
  const db = openDatabase(opts.path, opts.busyTimeoutMs ?? 5000);
  // Prepared lazily: the tables a statement names do not exist before migrate().
  const statements = new Map<string, StatementSync>();
  let closed = false;

  function statement(sql: string): StatementSync {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Runs one operation, turning a closed store or a driver failure into an AgentError. */
  async function run<T>(op: string, fn: () => T): Promise<T> {
    return guard(op, async () => fn());
  }

  async function guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (closed) {
      throw new AgentError('STORE', `cannot ${op}: the SQLite store at ${where} is closed`);
    }
    const started = performance.now();
    try {
      const result = await fn();
      opts.onOperation?.(op, (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      const error = toStoreError(err, op, where);
      opts.onOperation?.(op, (performance.now() - started) / 1000, error);
      throw error;
    }
  }

  return {
    ...createJobsRepository(createSqliteExecutor(db, clock, guard)),
    capabilities: CAPABILITIES,

    migrate: () => guard('migrate', () => migrate(db, where, clock)),

    schemaVersion: () =>
      run('read the schema version', () => {
        if (statement(SQL.hasMigrationsTable).get() === undefined) return 0;
        return Number((statement(SQL.schemaVersion).get() as Row).version);
      }),

    now: () => run('read the clock', () => clock.now()),

    registerNode: (node) =>
      run('register a node', () => {
        const row = statement(SQL.registerNode).get(registrationParams(node, clock.now()));
        return toNodeRecord(row as Row);
      }),

    heartbeat: (nodeId, sample) =>
      run('record a heartbeat', () => {
        const result = statement(SQL.heartbeat).run({
          id: nodeId,
          now: clock.now(),
          sampleJson: sample?.json ?? null,
          sampleAt: sample?.at ?? null,
        });
        if (Number(result.changes) === 0) {
          throw new AgentError(
            'NOT_FOUND',
            `node ${nodeId} is not registered; register it before its heartbeats`,
          );
        }
      }),

    deregisterNode: (nodeId) =>
      run('deregister a node', () => {
        statement(SQL.deregisterNode).run({ id: nodeId });
      }),

    getNode: (nodeId) =>
      run('read a node', () => {
        const row = statement(SQL.getNode).get({ id: nodeId });
        return row === undefined ? undefined : toNodeRecord(row as Row);
      }),

    listNodes: () =>
      run('list nodes', () =>
        statement(SQL.listNodes)
          .all()
          .map((row) => toNodeRecord(row as Row)),
      ),

    setNodeLabels: (nodeId, labels) =>
      run("set a node's labels", () => {
        const result = statement(SQL.setNodeLabels).run({
          id: nodeId,
          labels: JSON.stringify(labels),
        });
        if (Number(result.changes) === 0) {
          throw new AgentError('NOT_FOUND', `node ${nodeId} is not registered; nothing to label`);
        }
      }),

    getSetting: (key) =>
      run('read a setting', () => {
        const row = statement(SQL.getSetting).get({ key });
        return row === undefined ? undefined : String((row as Row).value);
      }),

    setSetting: (key, value) =>
      run('write a setting', () => {
        statement(SQL.setSetting).run({ key, value });
      }),

    setSettingIfAbsent: (key, value) =>
      run('write a setting', () => {
        statement(SQL.setSettingIfAbsent).run({ key, value });
        return String((statement(SQL.getSetting).get({ key }) as Row).value);
      }),

    close: async () => {
      if (closed) return;
      closed = true;
      statements.clear();
      db.close();
    },
  };
}

function openDatabase(path: string, busyTimeoutMs: number): DatabaseSync {
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // The file holds job env, webhook secrets and Jdbc passwords: created readable by its owner
      // alone, before SQLite opens it, since SQLite gives the -wal and -shm files the main file's mode.
      closeSync(openSync(path, 'a', 0o600));
    }
    const db = new DatabaseSync(path);
    // busy_timeout first: switching to WAL itself may wait for another process's lock.
    db.exec(`pragma busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    db.exec('pragma journal_mode = wal');
    // NORMAL is durable in WAL mode except for the last commits before a power loss, and far faster.
    db.exec('pragma synchronous = normal');
    db.exec('pragma foreign_keys = on');
    return db;
  } catch (err) {
    throw new AgentError(
      'STORE',
      `cannot open the SQLite database at ${path}: ${messageOf(err)}; check that --store or --data-dir names a writable place`,
      { cause: err },
    );
  }
}

/**
 * Applies pending migrations one at a time: a migration's schema statements and its version in one
 * immediate (write-locked) transaction, so two openers serialise; then its backfill, if it has one,
 * a bounded batch per transaction with the event loop free between two. A backfill cut short is
 * finished from where it stopped (schema_backfills) before any later migration is applied.
 */
async function migrate(db: DatabaseSync, where: string, clock: Clock): Promise<void> {
  checkMigrations(MIGRATIONS);
  const pending = (): Migration[] => {
    db.exec(CREATE_SCHEMA_MIGRATIONS);
    db.exec(CREATE_SCHEMA_BACKFILLS);
    const applied = db
      .prepare(SQL.appliedVersions)
      .all()
      .map((row) => Number(row.version));
    return pendingMigrations(MIGRATIONS, applied, where);
  };
  // Refuses a newer database before anything is written.
  immediate(db, pending);
  for (;;) {
    await finishBackfills(db);
    const applied = immediate(db, () => {
      const m = pending()[0];
      if (m === undefined) return false;
      db.exec(m.sql);
      db.prepare(SQL.recordMigration).run({ version: m.version, name: m.name, now: clock.now() });
      if (m.backfill !== undefined) {
        db.prepare(BACKFILL_SQL.start).run({ version: m.version, after: BACKFILL_START });
      }
      return true;
    });
    if (!applied) return;
  }
}

/** Every backfill under way, a batch per immediate transaction, the event loop free between two. */
async function finishBackfills(db: DatabaseSync): Promise<void> {
  for (;;) {
    const more = immediate(db, () => {
      const row = db.prepare(BACKFILL_SQL.next).get();
      if (row === undefined) return false;
      const version = Number(row.version);
      const backfill = backfillOf(MIGRATIONS, version);
      const after = Number(row.after);
      const bound = db.prepare(BACKFILL_SQL.upTo).get({ after, limit: backfill.batchJobs });
      if (bound?.upTo === null || bound?.upTo === undefined) {
        db.prepare(BACKFILL_SQL.done).run({ version });
        return true;
      }
      const upTo = Number(bound.upTo);
      for (const sql of backfill.statements) db.prepare(sql).run({ after, upTo });
      db.prepare(BACKFILL_SQL.advance).run({ version, after: upTo });
      return true;
    });
    if (!more) return;
    await sleep(BACKFILL_PAUSE_MS);
  }
}

/** Runs fn in an immediate (write-locked) transaction. */
function immediate<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('begin immediate');
  try {
    const result = fn();
    db.exec('commit');
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec('rollback');
    throw err;
  }
}

function registrationParams(node: NodeRegistration, now: number): Params {
  return {
    id: node.id,
    hostname: node.hostname,
    address: node.address,
    version: node.version,
    pid: node.pid,
    // null: none given, the stored ones stay (queries.ts).
    labels: node.labels === undefined ? null : JSON.stringify(node.labels),
    slots: node.slots ?? 0,
    now,
  };
}

function toNodeRecord(row: Row): NodeRecord {
  const record: NodeRecord = {
    id: String(row.id),
    hostname: String(row.hostname),
    address: String(row.address),
    version: String(row.version),
    pid: Number(row.pid),
    labels: JSON.parse(String(row.labels)) as Record<string, string>,
    slots: Number(row.slots),
    registeredAt: Number(row.registered_at),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    state: row.state === 'down' ? 'down' : 'up',
  };
  if (row.sample_json !== null) record.sampleJson = String(row.sample_json);
  if (row.sample_at !== null) record.sampleAt = Number(row.sample_at);
  return record;
}

// SQLite primary result codes (the low byte of an extended code) that have a known remedy.
const HINTS: Readonly<Record<number, string>> = {
  5: 'another process holds the database lock: is a second bosun using the same --data-dir?', // BUSY
  8: 'the database file or its directory is not writable', // READONLY
  13: 'the disk is full', // FULL
};

function toStoreError(err: unknown, op: string, where: string): AgentError {
  if (err instanceof AgentError) return err;
  const message = messageOf(err);
  const errcode = (err as { errcode?: unknown }).errcode;
  const hint =
    (typeof errcode === 'number' ? HINTS[errcode & 0xff] : undefined) ??
    (/no such table/.test(message)
      ? 'the store has not been migrated (call migrate() first)'
      : undefined);
  const detail = hint === undefined ? message : `${message}; ${hint}`;
  return new AgentError('STORE', `cannot ${op} in the SQLite store at ${where}: ${detail}`, {
    cause: err,
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
