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

/**
 * Migration 7, what a listing needs to cost what it returns (issue 25): each job's kind (and its
 * keepRuns, for retention to read without the spec) as a column,
 * a row per job with its latest run that is not queued (`job_last_runs`, the SeaTunnel status of a
 * job and a page's last runs read by key), the number of jobs of each kind (`job_totals`, Cloudtask's
 * jobstotal without counting), and an index for retention by age. Triggers keep the two tables, so
 * every writer (the run lifecycle, retention, a job's deletion) keeps them without knowing of them.
 * The parts that differ are the generated column, name order (byte order on both, so a name prefix
 * is an index range) and the trigger language; tables, keys and indexes are the same.
 */
const listingTables = (t: ColumnTypes): string => `
create index jobs_kind on jobs (kind, id);

-- One row per job: its newest run that is not queued (state '' and run_id null before its first).
create table job_last_runs (
  job_id ${t.bigint} primary key,
  kind text not null,
  run_id ${t.bigint},
  state text not null,
  finished_at ${t.bigint}
)${t.strict};
-- A listing reads one state at a time from these, by id or by the run's end, and merges.
create index job_last_runs_state on job_last_runs (kind, state, job_id);
create index job_last_runs_finished on job_last_runs (kind, state, finished_at, job_id)
  where finished_at is not null;

create table job_totals (
  kind text primary key,
  n ${t.bigint} not null
)${t.strict};

create index runs_finished on runs (finished_at) where finished_at is not null;
-- Runs in a state, newest first (GET /api/v1/runs?state=running): without it, a scan of every run.
create index runs_by_state on runs (state, id);
-- Retention sums the stored log bytes from this index alone, a batch of runs at a time.
create index runs_logs on runs (id, log_stored) where log_stored > 0;
`;

/**
 * Migration 7's backfill, one batch of jobs (ids in `after`, `upTo`] at a time (migrations.ts
 * Backfill): each job without a job_last_runs row gets one, with its newest run that is not queued
 * (one descent of the (job_id, id) index per job), and is counted into job_totals. The triggers
 * keep both from the moment the schema is in, so a job written meanwhile already has its row and
 * is skipped: job_totals counts exactly the jobs that have a row, which is what the triggers keep.
 * Counted before they are inserted, in the same transaction.
 */
export const listingBackfill = (after: string, upTo: string): string[] => [
  `insert into job_totals (kind, n)
   select kind, count(*) from jobs j
   where j.id > ${after} and j.id <= ${upTo}
     and not exists (select 1 from job_last_runs l where l.job_id = j.id)
   group by kind
   on conflict (kind) do update set n = job_totals.n + excluded.n`,
  `insert into job_last_runs (job_id, kind, run_id, state, finished_at)
   select j.id, j.kind, r.id, coalesce(r.state, ''), r.finished_at from jobs j
   left join runs r on r.id = (
     select max(x.id) from runs x where x.job_id = j.id and x.state <> 'queued')
   where j.id > ${after} and j.id <= ${upTo}
     and not exists (select 1 from job_last_runs l where l.job_id = j.id)`,
];

/**
 * The statements that follow a run's change into job_last_runs (NEW and OLD as triggers name them):
 * a newer run that is not queued becomes the job's latest; a deleted latest run gives way to the
 * newest one left.
 */
const RUN_BECOMES_LATEST = `
  update job_last_runs set run_id = new.id, state = new.state, finished_at = new.finished_at
    where job_id = new.job_id and (run_id is null or run_id <= new.id)`;
const LATEST_RUN_DELETED = `
  update job_last_runs set run_id = (
    select max(r.id) from runs r where r.job_id = old.job_id and r.state <> 'queued')
    where job_id = old.job_id and run_id = old.id;
  update job_last_runs set
    state = coalesce((select r.state from runs r where r.id = job_last_runs.run_id), ''),
    finished_at = (select r.finished_at from runs r where r.id = job_last_runs.run_id)
    where job_id = old.job_id and (run_id is null or run_id < old.id)`;

/** Migration 7 for SQLite: `kind` a virtual column computed from the spec, triggers in SQL. */
export const sqliteListingSchema = `
alter table jobs add column kind text
  generated always as (coalesce(json_extract(spec, '$.kind'), 'command')) virtual;
alter table jobs add column keep_runs integer
  generated always as (coalesce(json_extract(spec, '$.keepRuns'), 0)) virtual;
${listingTables({ bigint: 'integer', blob: 'blob', strict: ' strict' })}
create trigger runs_latest_insert after insert on runs when new.state <> 'queued' begin
  ${RUN_BECOMES_LATEST};
end;
create trigger runs_latest_update after update of state, finished_at on runs
  when new.state <> 'queued' begin
  ${RUN_BECOMES_LATEST};
end;
create trigger runs_latest_delete after delete on runs
  when old.id = (select run_id from job_last_runs where job_id = old.job_id) begin
  ${LATEST_RUN_DELETED};
end;
create trigger jobs_summary_insert after insert on jobs begin
  insert or ignore into job_totals (kind, n) values (new.kind, 0);
  update job_totals set n = n + 1 where kind = new.kind;
  insert into job_last_runs (job_id, kind, state) values (new.id, new.kind, '');
end;
-- A job the backfill has not reached yet (no job_last_runs row) is not counted yet either.
create trigger jobs_summary_delete after delete on jobs
  when exists (select 1 from job_last_runs where job_id = old.id) begin
  update job_totals set n = n - 1 where kind = old.kind;
  delete from job_last_runs where job_id = old.id;
end;
create trigger jobs_summary_kind after update of spec on jobs
  when new.kind is not old.kind and exists (select 1 from job_last_runs where job_id = new.id) begin
  update job_totals set n = n - 1 where kind = old.kind;
  insert or ignore into job_totals (kind, n) values (new.kind, 0);
  update job_totals set n = n + 1 where kind = new.kind;
  update job_last_runs set kind = new.kind where job_id = new.id;
end;
`;

/**
 * Migration 7 for PostgreSQL: `kind` a stored generated column, the name in byte order ("C", as
 * SQLite compares), triggers in PL/pgSQL.
 */
export const postgresListingSchema = `
alter table jobs add column kind text not null
  generated always as (coalesce(spec::jsonb ->> 'kind', 'command')) stored;
alter table jobs add column keep_runs integer not null
  generated always as (coalesce((spec::jsonb ->> 'keepRuns')::integer, 0)) stored;
alter table jobs alter column name type text collate "C";
${listingTables({ bigint: 'bigint', blob: 'bytea', strict: '' })}
create function bosun_run_latest() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from job_last_runs where job_id = old.job_id and run_id = old.id) then
      ${LATEST_RUN_DELETED};
    end if;
  elsif new.state <> 'queued' then
    ${RUN_BECOMES_LATEST};
  end if;
  return null;
end $$;
create trigger runs_latest after insert or update of state, finished_at or delete on runs
  for each row execute function bosun_run_latest();

create function bosun_job_summary() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into job_totals (kind, n) values (new.kind, 1)
      on conflict (kind) do update set n = job_totals.n + 1;
    insert into job_last_runs (job_id, kind, state) values (new.id, new.kind, '');
  elsif not exists (select 1 from job_last_runs
                     where job_id = (case when tg_op = 'DELETE' then old.id else new.id end)) then
    null; -- not reached by the backfill yet: not counted yet either
  elsif tg_op = 'DELETE' then
    update job_totals set n = n - 1 where kind = old.kind;
    delete from job_last_runs where job_id = old.id;
  elsif new.kind is distinct from old.kind then
    update job_totals set n = n - 1 where kind = old.kind;
    insert into job_totals (kind, n) values (new.kind, 1)
      on conflict (kind) do update set n = job_totals.n + 1;
    update job_last_runs set kind = new.kind where job_id = new.id;
  end if;
  return null;
end $$;
create trigger jobs_summary after insert or delete or update of spec on jobs
  for each row execute function bosun_job_summary();
`;
