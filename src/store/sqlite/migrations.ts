// The SQLite schema, as numbered plain SQL. Append a new entry to add a migration; never edit one that
// has shipped. Mirrors postgres/migrations.ts: same tables, columns, keys and meanings.
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
    sql: `
create table jobs (
  id integer primary key,
  name text not null unique,
  spec text not null,
  enabled integer not null,
  overlap text not null,
  version integer not null,
  created_at integer not null,
  updated_at integer not null
) strict;

create table schedules (
  id integer primary key,
  job_id integer not null references jobs (id) on delete cascade,
  position integer not null,
  spec text not null,
  anchor_at integer not null,
  enabled integer not null,
  -- The cursor: the next fire not yet turned into a run. Advanced in the transaction that inserts the run.
  next_fire_at integer
) strict;
create index schedules_due on schedules (next_fire_at) where enabled = 1 and next_fire_at is not null;
create index schedules_job on schedules (job_id);

create table runs (
  id integer primary key,
  job_id integer not null references jobs (id) on delete cascade,
  schedule_id integer,
  trigger text not null,
  trigger_key text,
  state text not null,
  attempt integer not null,
  scheduled_for integer not null,
  run_at integer not null,
  created_at integer not null,
  started_at integer,
  finished_at integer,
  exit_code integer,
  signal text,
  node_id text,
  pgid integer,
  lease_token text,
  lease_expires_at integer,
  stop_signal text,
  error text,
  -- Copied from the job's overlap policy when the run is created: anything but 'allow'.
  single_flight integer not null,
  log_bytes integer not null default 0,
  log_stored integer not null default 0,
  log_truncated integer not null default 0
) strict;
-- Every fire of a schedule is one run, however many agents race to materialise it.
create unique index runs_one_per_fire on runs (schedule_id, scheduled_for) where trigger = 'schedule';
-- A retried request with the same Idempotency-Key finds the run it made the first time.
create unique index runs_trigger_key on runs (job_id, trigger_key) where trigger_key is not null;
-- The backstop of the overlap policy: one running run per single-flight job.
create unique index runs_one_active on runs (job_id) where state = 'running' and single_flight = 1;
create index runs_queued on runs (run_at) where state = 'queued';
create index runs_by_job on runs (job_id, id);
create index runs_by_node on runs (node_id) where state = 'running';

create table run_log_chunks (
  run_id integer not null references runs (id) on delete cascade,
  seq integer not null,
  data blob not null,
  primary key (run_id, seq)
) strict;

create table packages (
  job_id integer primary key references jobs (id) on delete cascade,
  sha256 text not null,
  size integer not null,
  data blob not null,
  uploaded_at integer not null
) strict;

-- Webhook deliveries, written in the transaction that ends a run and sent later by the notifier.
create table outbox (
  id integer primary key,
  job_id integer not null,
  run_id integer not null,
  event text not null,
  url text not null,
  payload text not null,
  attempts integer not null default 0,
  next_at integer not null,
  last_error text
) strict;
create index outbox_due on outbox (next_at);
`,
  },
];
