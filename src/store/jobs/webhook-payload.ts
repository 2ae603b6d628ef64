// The JSON a webhook receives when a run ends. Built when the run ends (inside the store's transaction)
// and kept in the outbox, so a delivery retried an hour later still says what happened then.
import type { Job } from '../../model/jobs.ts';
import type { Run } from '../../model/runs.ts';

export interface WebhookPayload {
  event: string;
  job: { id: string; name: string };
  run: {
    id: string;
    state: string;
    attempt: number;
    trigger: string;
    scheduledFor: string;
    startedAt: string | null;
    finishedAt: string | null;
    exitCode: number | null;
    signal: string | null;
    error: string | null;
    nodeId: string | null;
  };
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

export function webhookPayload(job: Pick<Job, 'id' | 'name'>, run: Run): WebhookPayload {
  return {
    event: run.state,
    job: { id: job.id, name: job.name },
    run: {
      id: run.id,
      state: run.state,
      attempt: run.attempt,
      trigger: run.trigger,
      scheduledFor: new Date(run.scheduledFor).toISOString(),
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
      exitCode: run.exitCode ?? null,
      signal: run.signal ?? null,
      error: run.error ?? null,
      nodeId: run.nodeId ?? null,
    },
  };
}
