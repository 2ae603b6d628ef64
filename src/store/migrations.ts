// Migration bookkeeping shared by both stores: the shape of a numbered migration and the choice of
// which ones to apply. The SQL itself lives with each backend (sqlite/migrations.ts,
// postgres/migrations.ts); both keep a schema_migrations(version, name, applied_at) table, and a
// schema_backfills(version, after) table for the backfills not yet done (issue 25).
import { AgentError } from '../errors.ts';

/**
 * The rows a migration writes into existing data, in bounded batches over `jobs` by id, each in a
 * short transaction of its own with the event loop free between two: at 100,000 jobs one statement
 * over every job held an embedded agent's loop for seconds and a cluster's rows for as long. The
 * store records the last id done after each batch (schema_backfills), so a backfill cut short (a
 * crash, a kill) resumes where it stopped at the next start. A batch must be idempotent over jobs
 * it already did (insert what is missing, never add twice), so that a race with a concurrent
 * writer or a retried batch changes nothing.
 */
export interface Backfill {
  /** Jobs per batch: small enough that one batch takes a few ms at any history. */
  readonly batchJobs: number;
  /**
   * The statements of one batch, run in order in one transaction, with the batch's bounds as
   * parameters: the last id of the previous batch (exclusive) and the last id of this one
   * (inclusive), `:after`/`:upTo` on SQLite and `$1`/`$2` on PostgreSQL.
   */
  readonly statements: readonly string[];
}

/** One numbered step of plain SQL; versions run 1, 2, 3… with no gaps. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Schema statements, run in the transaction that records the version. */
  readonly sql: string;
  /** Data written after the schema, in batches (see Backfill); the version is recorded first. */
  readonly backfill?: Backfill;
}

/** Before the first batch of a backfill: below every id (ids are positive). */
export const BACKFILL_START = 0;

/**
 * Between two batches of a backfill: a few ms, not just a turn of the loop, so that a backfill over
 * a long history takes a share of the CPU rather than all of it.
 */
export const BACKFILL_PAUSE_MS = 2;

/** The highest version a list of migrations reaches (0 for none). */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

/** Throws unless versions run 1, 2, 3… in order; a gap or duplicate is a programming error. */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AgentError(
        'INTERNAL',
        `migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions must run 1, 2, 3… without gaps`,
      );
    }
  });
}

/**
 * The migrations still to apply, given the versions already recorded in schema_migrations. Refuses a
 * database migrated by a newer bosun, since this agent would not understand its schema.
 */
export function pendingMigrations(
  migrations: readonly Migration[],
  appliedVersions: readonly number[],
  where: string,
): Migration[] {
  const known = latestVersion(migrations);
  const newest = Math.max(0, ...appliedVersions);
  if (newest > known) {
    throw new AgentError(
      'STORE',
      `the store at ${where} has schema version ${newest} but this bosun knows only up to ${known}; upgrade bosun or point --store elsewhere`,
    );
  }
  const applied = new Set(appliedVersions);
  return migrations.filter((m) => !applied.has(m.version));
}

/** The backfill of migration `version`, which schema_backfills names as under way. */
export function backfillOf(migrations: readonly Migration[], version: number): Backfill {
  const backfill = migrations.find((m) => m.version === version)?.backfill;
  if (backfill === undefined) {
    throw new AgentError(
      'STORE',
      `schema_backfills names migration ${version}, which has no backfill in this bosun; the store was changed by another program`,
    );
  }
  return backfill;
}
