// The SQLite schema, as numbered plain SQL. Append a new entry to add a migration; never edit one that
// has shipped. Mirrors postgres/migrations.ts: same tables, columns, keys and meanings.
import {
  jobsSchema,
  packageChunksTable,
  pipelineRunColumns,
  sqliteListingSchema,
  stopGraceColumn,
} from '../jobs/schema.ts';
import type { Migration } from '../migrations.ts';

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
  },
];
