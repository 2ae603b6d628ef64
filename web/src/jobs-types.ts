// The native jobs API's JSON (docs/api.md "Jobs and runs"): times are ISO strings, ids decimal
// strings. The enums come from the server's model so a renamed state fails the typecheck here too.
import type { MisfirePolicy, OverlapPolicy, RunState, RunTrigger } from '../../src/jobs/model.ts';

export type { MisfirePolicy, OverlapPolicy, RunState, RunTrigger };

export interface ScheduleJson {
  id: string;
  kind: 'cron' | 'every' | 'at' | 'cloudtask';
  enabled: boolean;
  expr?: string;
  tz?: string;
  everySec?: number;
  at?: string;
  nextFireAt: string | null;
  /** The schedule in words, written by the agent. */
  description: string;
}

export interface JobJson {
  id: string;
  name: string;
  kind: string;
  cmd: string;
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
  webhooks: { url: string; events: string[]; secret?: string }[];
  keepRuns: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  package: { sha256: string; size: number; uploadedAt: string } | null;
  nextRunAt: string | null;
  lastRun: RunJson | null;
}

export interface RunJson {
  id: string;
  jobId: string;
  jobName: string | null;
  scheduleId: string | null;
  trigger: RunTrigger;
  state: RunState;
  attempt: number;
  scheduledFor: string | null;
  runAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  signal: string | null;
  node: string | null;
  error: string | null;
  stopRequested: boolean;
  logBytes: number;
  logTruncated: boolean;
}

/** One message of GET /api/v1/events. */
export type JobsEventJson =
  | { type: 'run'; run: RunJson }
  | { type: 'job'; action: 'created' | 'updated' | 'deleted'; job: { id: string; name: string } };
