// Retry timing: capped exponential backoff. The first retry waits backoffSec, each further one twice
// as long, never more than maxBackoffSec. Deterministic, so a test can say exactly when.
import type { RetryPlanner } from '../store/store.ts';
import type { RetryPolicy } from '../model/jobs.ts';

export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 30);
  return Math.min(policy.backoffSec * 2 ** exponent, policy.maxBackoffSec) * 1000;
}

/** For a failure no retry can help (a pipeline config that cannot be built). */
export const noRetry: RetryPlanner = () => undefined;

/** The store calls this when a run ends badly: the next attempt's start, while attempts remain. */
export const planRetry: RetryPlanner = (run, job, now) =>
  run.attempt < job.retry.maxAttempts ? now + retryDelayMs(job.retry, run.attempt) : undefined;
