// The PostgreSQL schema, as numbered plain SQL. Append a new entry to add a migration; never edit one
// that has shipped. Mirrors sqlite/migrations.ts: same tables, columns, keys and meanings.
import {
  jobsSchema,
  listingBackfill,
  packageChunksTable,
  pipelineRunColumns,
  postgresListingSchema,
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
  after bigint not null
)`;

/** The bookkeeping of a backfill (postgres-store.ts finishBackfills). */
export const BACKFILL_SQL = {
  start: `insert into schema_backfills (version, after) values ($1, $2)`,
  next: `select version, after from schema_backfills order by version limit 1`,
  // The last id of the next batch: a range of the primary key, whatever the history.
  upTo: `select max(id) as upto from (select id from jobs where id > $1 order by id limit $2) b`,
  advance: `update schema_backfills set after = $2 where version = $1`,
  done: `delete from schema_backfills where version = $1`,
} as const;

/** Created before any migration runs, so it can record them. Times are ms since the epoch. */
export const CREATE_SCHEMA_MIGRATIONS = `
create table if not exists schema_migrations (
  version integer primary key,
  name text not null,
  applied_at bigint not null
)`;

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
  registered_at bigint not null,
  started_at bigint not null,
  heartbeat_at bigint not null,
  state text not null check (state in ('up', 'down')),
  sample_json text,
  sample_at bigint
);

create table settings (
  key text primary key,
  value text not null
);
`,
  },
  {
    version: 2,
    name: 'jobs, schedules, runs, logs, packages and the outbox',
    sql: jobsSchema({ bigint: 'bigint', blob: 'bytea', strict: '' }),
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
    sql: packageChunksTable({ bigint: 'bigint', blob: 'bytea', strict: '' }),
  },
  {
    version: 6,
    name: "nodes: each node's slots",
    sql: `alter table nodes add column slots integer not null default 0;`,
  },
  {
    version: 7,
    name: "jobs listed by the page: kind, each job's latest run, totals (issue 25)",
    sql: postgresListingSchema,
    backfill: { batchJobs: 100, statements: listingBackfill('$1', '$2') },
  },
];
