// Rows of the jobs tables to model objects and back. Both drivers come through here: pg returns bigint
// columns as strings and bytea as Buffer, node:sqlite numbers and Uint8Array.
import type { Job, JobPackage, JobSpec } from '../../model/jobs.ts';
import type { Run, RunState, RunTrigger } from '../../model/runs.ts';
import type { Schedule } from '../../model/schedules.ts';
import type { SqlRow } from './sql.ts';

export const RUN_COLUMNS = `id, job_id, schedule_id, trigger, state, attempt, scheduled_for, run_at,
  created_at, started_at, finished_at, exit_code, signal, node_id, pgid, stop_signal, error,
  log_bytes, log_stored, log_truncated, metrics, checkpoint`;

export const num = (v: unknown): number => Number(v);
export const opt = (v: unknown): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);
export const optStr = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : String(v);
const optJson = (v: unknown): unknown =>
  v === null || v === undefined ? undefined : (JSON.parse(String(v)) as unknown);
/** Ids are 53-bit integers in the database and decimal strings everywhere else. */
export const idParam = (id: string): number => Number(id);

export function toRun(row: SqlRow): Run {
  const run: Run = {
    id: String(row.id),
    jobId: String(row.job_id),
    trigger: row.trigger as RunTrigger,
    state: row.state as RunState,
    attempt: num(row.attempt),
    scheduledFor: num(row.scheduled_for),
    runAt: num(row.run_at),
    createdAt: num(row.created_at),
    logBytes: num(row.log_bytes),
    logTruncated: num(row.log_truncated) === 1,
  };
  const extra: Partial<Run> = {
    scheduleId: optStr(row.schedule_id),
    startedAt: opt(row.started_at),
    finishedAt: opt(row.finished_at),
    exitCode: opt(row.exit_code),
    signal: optStr(row.signal),
    nodeId: optStr(row.node_id),
    pgid: opt(row.pgid),
    stopSignal: optStr(row.stop_signal),
    error: optStr(row.error),
    metrics: optJson(row.metrics) as Run['metrics'],
    checkpoint: optJson(row.checkpoint),
  };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) (run as unknown as Record<string, unknown>)[key] = value;
  }
  return run;
}

export function toSchedule(row: SqlRow): Schedule {
  const schedule: Schedule = {
    id: String(row.id),
    jobId: String(row.job_id),
    spec: JSON.parse(String(row.spec)) as Schedule['spec'],
    anchorAt: num(row.anchor_at),
  };
  const next = opt(row.next_fire_at);
  if (next !== undefined) schedule.nextFireAt = next;
  return schedule;
}

export function toPackage(row: SqlRow): JobPackage {
  return { sha256: String(row.sha256), size: num(row.size), uploadedAt: num(row.uploaded_at) };
}

export function toJob(row: SqlRow, schedules: Schedule[], pkg: JobPackage | undefined): Job {
  const spec = JSON.parse(String(row.spec)) as Omit<JobSpec, 'schedules'>;
  const job: Job = {
    ...spec,
    id: String(row.id),
    version: num(row.version),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    schedules,
  };
  if (pkg !== undefined) job.package = pkg;
  return job;
}

export function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(String(data));
}
