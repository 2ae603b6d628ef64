// SeaTunnel's status word for a pipeline run (specs/seatunnel.md §3, the 2.3.4+ spellings), shared by
// its REST surface and the dashboard.
import type { RunState } from '../model/runs.ts';

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
