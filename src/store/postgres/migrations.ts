// The PostgreSQL schema, as numbered plain SQL. Append a new entry to add a migration; never edit one
// that has shipped. Mirrors sqlite/migrations.ts: same tables, columns, keys and meanings.
import type { Migration } from '../migrations.ts';

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
    sql: `
create table jobs (
  id bigint primary key,
  name text not null unique,
  spec text not null,
  enabled integer not null,
  overlap text not null,
  version integer not null,
  created_at bigint not null,
  updated_at bigint not null
);

create table schedules (
  id bigint primary key,
  job_id bigint not null references jobs (id) on delete cascade,
  position integer not null,
  spec text not null,
  anchor_at bigint not null,
  enabled integer not null,
  -- The cursor: the next fire not yet turned into a run. Advanced in the transaction that inserts the run.
  next_fire_at bigint
);
create index schedules_due on schedules (next_fire_at) where enabled = 1 and next_fire_at is not null;
create index schedules_job on schedules (job_id);

create table runs (
  id bigint primary key,
  job_id bigint not null references jobs (id) on delete cascade,
  schedule_id bigint,
  trigger text not null,
  trigger_key text,
  state text not null,
  attempt integer not null,
  scheduled_for bigint not null,
  run_at bigint not null,
  created_at bigint not null,
  started_at bigint,
  finished_at bigint,
  exit_code integer,
  signal text,
  node_id text,
  pgid integer,
  lease_token text,
  lease_expires_at bigint,
  stop_signal text,
  error text,
  -- Copied from the job's overlap policy when the run is created: anything but 'allow'.
  single_flight integer not null,
  log_bytes bigint not null default 0,
  log_stored bigint not null default 0,
  log_truncated integer not null default 0
);
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
  run_id bigint not null references runs (id) on delete cascade,
  seq integer not null,
  data bytea not null,
  primary key (run_id, seq)
);

create table packages (
  job_id bigint primary key references jobs (id) on delete cascade,
  sha256 text not null,
  size bigint not null,
  data bytea not null,
  uploaded_at bigint not null
);

-- Webhook deliveries, written in the transaction that ends a run and sent later by the notifier.
create table outbox (
  id bigint primary key,
  job_id bigint not null,
  run_id bigint not null,
  event text not null,
  url text not null,
  payload text not null,
  attempts integer not null default 0,
  next_at bigint not null,
  last_error text
);
create index outbox_due on outbox (next_at);
`,
  },
];
