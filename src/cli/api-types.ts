// The native jobs API's JSON as the CLI reads it (docs/api.md "Jobs and runs"): ISO strings for
// times, null for absent values. Fields the CLI only passes through stay loosely typed.
import { FINAL_STATES, RUN_STATES } from '../jobs/model.ts';

export interface ApiSchedule {
  id: string;
  kind: string;
  enabled: boolean;
  nextFireAt: string | null;
  description: string;
}

export interface ApiWebhook {
  url: string;
  events: string[];
  secret?: string;
}

export interface ApiJob {
  id: string;
  name: string;
  kind: string;
  cmd: string;
  env: Record<string, string>;
  cwd: string;
  timeoutSec: number;
  graceSec: number;
  retry: { maxAttempts: number; backoffSec: number; maxBackoffSec: number };
  overlap: string;
  misfire: string;
  misfireGraceSec: number;
  jitterSec: number;
  enabled: boolean;
  schedules: ApiSchedule[];
  webhooks: ApiWebhook[];
  keepRuns: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  package: { sha256: string; size: number; uploadedAt: string } | null;
  nextRunAt: string | null;
  lastRun: Partial<ApiRun> | null;
}

export interface ApiRun {
  id: string;
  jobId: string;
  jobName?: string;
  scheduleId: string | null;
  trigger: string;
  state: string;
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
  logBytes: number;
  logTruncated: boolean;
}

// The state names are the core's own (a module of constants with no imports, cheap to load), read
// here as plain strings, since that is what the API's JSON holds.
export const FINAL_RUN_STATES: ReadonlySet<string> = FINAL_STATES;
export { RUN_STATES as RUN_STATE_NAMES };
