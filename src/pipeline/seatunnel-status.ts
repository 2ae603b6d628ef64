// SeaTunnel's words for bosun's pipelines, shared by its REST surface, the engine and the dashboard:
// a run's status (specs/seatunnel.md §3, the 2.3.4+ spellings) and a job's id.
import type { Job } from '../model/jobs.ts';
import type { RunState } from '../model/runs.ts';

/** A pipeline submitted with a client's id is named `seatunnel-<id>`. */
export const NAME_PREFIX = 'seatunnel-';

/** The client's id of a pipeline job: the one it was submitted under, else its bosun id. */
export function pipelineJobId(job: Pick<Job, 'id' | 'name'>): string {
  const tail = job.name.slice(NAME_PREFIX.length);
  return job.name.startsWith(NAME_PREFIX) && /^\d+$/.test(tail) ? tail : job.id;
}

/** The signal that stops a pipeline run with a savepoint (the engine's SIGUSR1). */
export const SAVEPOINT_SIGNAL = 'SIGUSR1';

export function seatunnelStatus(state: RunState, stopSignal: string | null | undefined): string {
  switch (state) {
    case 'queued':
      return 'PENDING';
    case 'running':
      if (stopSignal === SAVEPOINT_SIGNAL) return 'DOING_SAVEPOINT';
      return stopSignal ? 'CANCELING' : 'RUNNING';
    case 'succeeded':
      return 'FINISHED';
    case 'savepoint_done':
      return 'SAVEPOINT_DONE';
    case 'canceled':
    case 'skipped':
      return 'CANCELED';
    default:
      return 'FAILED';
  }
}
