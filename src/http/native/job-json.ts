// The native API's JSON for jobs and runs (docs/api.md "Jobs and runs"): the types the CLI and the
// dashboard read, and the functions that render them, in one place so neither can drift from the
// server. Times are ISO strings, ids decimal strings, absent values null.
import { MASK, SECRET_NAME } from '../../jobs/job-spec.ts';
import type { JobState } from '../../jobs/jobs-service.ts';
import type { MisfirePolicy, OverlapPolicy, PipelineSpec } from '../../model/jobs.ts';
import type { Run, RunState, RunTrigger } from '../../model/runs.ts';
import type { MonthlyOf } from '../../model/schedules.ts';
import { describeSchedule } from '../../jobs/schedule/describe.ts';
import { maskConfigSecrets } from '../../pipeline/config/mask-secrets.ts';
import { pipelineStructure } from '../../pipeline/config/pipeline-config.ts';
import { catalog } from '../../pipeline/connectors/catalog.ts';
import { buildDag } from '../../pipeline/dag.ts';

export interface ScheduleJson {
  id: string;
  kind: 'cron' | 'every' | 'at' | 'cloudtask';
  enabled: boolean;
  expr?: string;
  tz?: string;
  everySec?: number;
  at?: string;
  turnmode?: number;
  interval?: number;
  startdate?: string;
  enddate?: string;
  starttime?: string;
  endtime?: string;
  selectat?: string;
  monthlyof?: MonthlyOf;
  nextFireAt: string | null;
  /** The schedule in words, written by the agent. */
  description: string;
}

export interface WebhookJson {
  url: string;
  events: string[];
  /** "***" when one is set; never the secret. */
  secret?: string;
}

export interface JobJson {
  id: string;
  name: string;
  kind: string;
  cmd: string;
  /** kind pipeline: the config as submitted (secrets masked) and the DAG it makes. */
  pipeline: (PipelineSpec & { dag: DagJson | null }) | null;
  env: Record<string, string>;
  cwd: string;
  timeoutSec: number;
  graceSec: number;
  retry: { maxAttempts: number; backoffSec: number; maxBackoffSec: number };
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
  misfireGraceSec: number;
  jitterSec: number;
  enabled: boolean;
  schedules: ScheduleJson[];
  webhooks: WebhookJson[];
  keepRuns: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  package: { sha256: string; size: number; uploadedAt: string } | null;
  nextRunAt: string | null;
  lastRun: RunJson | null;
}

export interface DagJson {
  vertices: Array<{
    id: number;
    role: 'source' | 'transform' | 'sink';
    plugin: string;
    /** The table it makes (sources, transforms) or reads (sinks). */
    table: string;
    parallelism: number;
    pipeline: number;
  }>;
  edges: Array<{ from: number; to: number; table: string }>;
}

export interface RunJson {
  id: string;
  jobId: string;
  jobName: string | null;
  scheduleId: string | null;
  trigger: RunTrigger;
  state: RunState;
  attempt: number;
  scheduledFor: string;
  runAt: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  node: string | null;
  error: string | null;
  stopRequested: boolean;
  /** The signal the stop sends (SIGUSR1: a pipeline's savepoint); null when no stop was asked. */
  stopSignal: string | null;
  logBytes: number;
  logTruncated: boolean;
  /** A pipeline run's metrics (SeaTunnel's names); null for a command. */
  metrics: Record<string, unknown> | null;
  /** A pipeline run's last checkpoint (or the one it resumed from); null for none. */
  checkpointId: number | null;
}

/** One message of GET /api/v1/events. */
export type JobsEventJson =
  | { type: 'run'; run: RunJson }
  | { type: 'job'; action: 'created' | 'updated' | 'deleted'; job: { id: string; name: string } };

export const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();
const isoAt = (ms: number): string => new Date(ms).toISOString();

export function runJson(run: Run, jobName?: string): RunJson {
  return {
    id: run.id,
    jobId: run.jobId,
    jobName: jobName ?? null,
    scheduleId: run.scheduleId ?? null,
    trigger: run.trigger,
    state: run.state,
    attempt: run.attempt,
    scheduledFor: isoAt(run.scheduledFor),
    runAt: isoAt(run.runAt),
    createdAt: isoAt(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    exitCode: run.exitCode ?? null,
    signal: run.signal ?? null,
    node: run.nodeId ?? null,
    error: run.error ?? null,
    stopRequested: run.stopSignal !== undefined,
    stopSignal: run.stopSignal ?? null,
    logBytes: run.logBytes,
    logTruncated: run.logTruncated,
    metrics: run.metrics ?? null,
    checkpointId: (run.checkpoint as { checkpointId?: number } | undefined)?.checkpointId ?? null,
  };
}

export function jobJson(state: JobState, defaultTz: string): JobJson {
  const { job } = state;
  return {
    id: job.id,
    name: job.name,
    kind: job.kind,
    cmd: job.cmd,
    pipeline:
      job.pipeline === undefined
        ? null
        : {
            format: job.pipeline.format,
            config: maskConfigSecrets(job.pipeline.config),
            dag: dagJson(job.pipeline),
          },
    env: Object.fromEntries(
      Object.entries(job.env).map(([k, v]) => [k, SECRET_NAME.test(k) ? MASK : v]),
    ),
    cwd: job.cwd,
    timeoutSec: job.timeoutSec,
    graceSec: job.graceSec,
    retry: job.retry,
    overlap: job.overlap,
    misfire: job.misfire,
    misfireGraceSec: job.misfireGraceSec,
    jitterSec: job.jitterSec,
    enabled: job.enabled,
    schedules: job.schedules.map((s) => ({
      id: s.id,
      ...s.spec,
      nextFireAt: iso(s.nextFireAt),
      description: describeSchedule(s.spec, { tz: defaultTz }),
    })),
    webhooks: job.webhooks.map((w) => ({
      url: w.url,
      events: w.events,
      ...(w.secret === undefined ? {} : { secret: MASK }),
    })),
    keepRuns: job.keepRuns,
    version: job.version,
    createdAt: isoAt(job.createdAt),
    updatedAt: isoAt(job.updatedAt),
    package:
      job.package === undefined
        ? null
        : {
            sha256: job.package.sha256,
            size: job.package.size,
            uploadedAt: isoAt(job.package.uploadedAt),
          },
    nextRunAt: iso(state.nextRunAt),
    lastRun: state.lastRun === undefined ? null : runJson(state.lastRun, job.name),
  };
}

/** The DAG of a stored pipeline config; null when it no longer parses (a connector removed). */
function dagJson(pipeline: PipelineSpec): DagJson | null {
  try {
    const dag = buildDag(pipelineStructure(pipeline, catalog));
    return {
      vertices: dag.vertices.map((v) => ({
        id: v.id,
        role: v.plugin.role,
        plugin: v.plugin.name,
        table: (v.plugin.role === 'sink' ? v.plugin.inputs.join(', ') : v.plugin.output) ?? '',
        parallelism: v.plugin.parallelism,
        pipeline: v.pipeline,
      })),
      edges: dag.edges.map((e) => ({ from: e.from, to: e.to, table: e.table })),
    };
  } catch {
    return null;
  }
}
