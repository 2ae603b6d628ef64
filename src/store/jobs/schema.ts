// The jobs tables (migration 2 of both stores), written once. The backends differ only in the names of
// two column types and SQLite's STRICT tables; every table, key and index is the same, so the
// guarantees the contract suite checks cannot drift apart between them.

export interface ColumnTypes {
  /** A 64-bit integer: ids, times in ms, counts. */
  bigint: string;
  blob: string;
  /** Appended to each CREATE TABLE. */
  strict: string;
}

export const jobsSchema = (t: ColumnTypes): string => `
create table jobs (
  id ${t.bigint} primary key,
  name text not null unique,
  spec text not null,
  enabled integer not null,
  overlap text not null,
  version integer not null,
  created_at ${t.bigint} not null,
  updated_at ${t.bigint} not null
)${t.strict};

create table schedules (
  id ${t.bigint} primary key,
  job_id ${t.bigint} not null references jobs (id) on delete cascade,
  position integer not null,
  spec text not null,
  anchor_at ${t.bigint} not null,
  enabled integer not null,
  -- The cursor: the next fire not yet turned into a run. Advanced in the transaction that inserts the run.
  next_fire_at ${t.bigint}
)${t.strict};
create index schedules_due on schedules (next_fire_at) where enabled = 1 and next_fire_at is not null;
create index schedules_job on schedules (job_id);

create table runs (
  id ${t.bigint} primary key,
  job_id ${t.bigint} not null references jobs (id) on delete cascade,
  schedule_id ${t.bigint},
  trigger text not null,
  trigger_key text,
  state text not null,
  attempt integer not null,
  scheduled_for ${t.bigint} not null,
  run_at ${t.bigint} not null,
  created_at ${t.bigint} not null,
  started_at ${t.bigint},
  finished_at ${t.bigint},
  exit_code integer,
  signal text,
  node_id text,
  pgid integer,
  lease_token text,
  lease_expires_at ${t.bigint},
  stop_signal text,
  error text,
  -- Copied from the job's overlap policy when the run is created: anything but 'allow'.
  single_flight integer not null,
  log_bytes ${t.bigint} not null default 0,
  log_stored ${t.bigint} not null default 0,
  log_truncated integer not null default 0
)${t.strict};
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
  run_id ${t.bigint} not null references runs (id) on delete cascade,
  seq integer not null,
  data ${t.blob} not null,
  primary key (run_id, seq)
)${t.strict};

create table packages (
  job_id ${t.bigint} primary key references jobs (id) on delete cascade,
  sha256 text not null,
  size ${t.bigint} not null,
  data ${t.blob} not null,
  uploaded_at ${t.bigint} not null
)${t.strict};

-- Webhook deliveries, written in the transaction that ends a run and sent later by the notifier.
create table outbox (
  id ${t.bigint} primary key,
  job_id ${t.bigint} not null,
  run_id ${t.bigint} not null,
  event text not null,
  url text not null,
  payload text not null,
  attempts integer not null default 0,
  next_at ${t.bigint} not null,
  last_error text
)${t.strict};
create index outbox_due on outbox (next_at);
`;

/** Migration 3: what a pipeline run reports (JSON text): its metrics, and its last checkpoint to resume from. */
export const pipelineRunColumns = `
alter table runs add column metrics text;
alter table runs add column checkpoint text;
`;

/** The grace a stop request asked for (null: the job's own), for the node that owns the run. */
export const stopGraceColumn = `
alter table runs add column stop_grace_ms integer;
`;

/**
 * A package's bytes in 1 MiB chunks, for the nodes of a cluster that did not receive the upload:
 * written and read a short transaction at a time rather than held whole in one row and one buffer
 * (a 64 MiB row held an embedded agent's event loop ~0.7 s). `packages.data` stays for packages
 * stored before this migration and is empty for new ones.
 */
export function packageChunksTable(t: { bigint: string; blob: string; strict: string }): string {
  return `
create table package_chunks (
  job_id ${t.bigint} not null references jobs (id) on delete cascade,
  sha256 text not null,
  seq integer not null,
  data ${t.blob} not null,
  primary key (job_id, sha256, seq)
)${t.strict};
`;
}
