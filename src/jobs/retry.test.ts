import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../model/jobs.ts';
import type { Run } from '../model/runs.ts';
import { planRetry, retryDelayMs } from './retry.ts';

const policy = { maxAttempts: 5, backoffSec: 10, maxBackoffSec: 60 };

test('backoff doubles from backoffSec and stops at maxBackoffSec', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt)),
    [10_000, 20_000, 40_000, 60_000, 60_000],
  );
});

test('retries while attempts remain, never after the last', () => {
  const job = { retry: policy } as Job;
  assert.equal(planRetry({ attempt: 1 } as Run, job, 1_000), 11_000);
  assert.equal(planRetry({ attempt: 4 } as Run, job, 1_000), 61_000);
  assert.equal(planRetry({ attempt: 5 } as Run, job, 1_000), undefined);
  assert.equal(
    planRetry({ attempt: 1 } as Run, { retry: { ...policy, maxAttempts: 1 } } as Job, 0),
    undefined,
  );
});
