// The SQLite schema, as numbered plain SQL. Append a new entry to add a migration; never edit one that
// has shipped. Mirrors postgres/migrations.ts: same tables, columns, keys and meanings.
import {
  jobsSchema,
  listingBackfill,
  packageChunksTable,
  pipelineRunColumns,
  sqliteListingSchema,
  stopGraceColumn,
} from '../jobs/schema.ts';
import type { Migration } from '../migrations.ts';

/**
 * The backfills not yet done (migrations.ts Backfill): a row per migration whose backfill is under
 * way, with the last job id it did; deleted when the backfill ends.
 */
export const CREATE_SCHEMA_BACKFILLS = `
create table if not exists schema_backfills (
  version integer primary key,
  after integer not null
) strict`;

/** The bookkeeping of a backfill (sqlite-store.ts finishBackfills); named parameters. */
export const BACKFILL_SQL = {
  start: `insert into schema_backfills (version, after) values (:version, :after)`,
  next: `select version, after from schema_backfills order by version limit 1`,
  // The last id of the next batch: a range of the primary key, whatever the history.
  upTo: `select max(id) as upTo from (select id from jobs where id > :after order by id limit :limit)`,
  advance: `update schema_backfills set after = :after where version = :version`,
  done: `delete from schema_backfills where version = :version`,
} as const;

/** Created before any migration runs, so it can record them. Times are ms since the epoch. */
export const CREATE_SCHEMA_MIGRATIONS = `
create table if not exists schema_migrations (
  version integer primary key,
  name text not null,
  applied_at integer not null
) strict`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'nodes and settings',
    sql: `
create table nodes (
  id text primary key,
  hostname text not null,
  address text not null,
  version text not null,
  pid integer not null,
  labels text not null default '{}',
  registered_at integer not null,
  started_at integer not null,
  heartbeat_at integer not null,
  state text not null check (state in ('up', 'down')),
  sample_json text,
  sample_at integer
) strict;

create table settings (
  key text primary key,
  value text not null
) strict;
`,
  },
  {
    version: 2,
    name: 'jobs, schedules, runs, logs, packages and the outbox',
    sql: jobsSchema({ bigint: 'integer', blob: 'blob', strict: ' strict' }),
  },
  {
    version: 3,
    name: 'pipeline runs: metrics and the last checkpoint',
    sql: pipelineRunColumns,
  },
  {
    version: 4,
    name: 'runs: the grace a stop request asked for',
    sql: stopGraceColumn,
  },
  {
    version: 5,
    name: 'packages in chunks',
    sql: packageChunksTable({ bigint: 'integer', blob: 'blob', strict: ' strict' }),
  },
  {
    version: 6,
    name: "nodes: each node's slots",
    sql: `alter table nodes add column slots integer not null default 0;`,
  },
  {
    version: 7,
    name: "jobs listed by the page: kind, each job's latest run, totals (issue 25)",
    sql: sqliteListingSchema,
    backfill: { batchJobs: 100, statements: listingBackfill(':after', ':upTo') },
  },
];
