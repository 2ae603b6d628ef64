// Job definitions for tests that talk to a store directly: every field at a plain default.
import { newId } from '../../src/ids.ts';
import type { JobSpec } from '../../src/model/jobs.ts';
import type { NewJob } from '../../src/store/store.ts';

/** A command job running `true`, by a fresh name; `overrides` change any field. */
export function jobSpec(
  overrides: Partial<Omit<JobSpec, 'schedules'>> = {},
): Omit<JobSpec, 'schedules'> {
  return {
    name: `job-${newId()}`,
    kind: 'command',
    cmd: 'true',
    env: {},
    cwd: '',
    timeoutSec: 0,
    graceSec: 10,
    retry: { maxAttempts: 1, backoffSec: 1, maxBackoffSec: 60 },
    overlap: 'allow',
    misfire: 'skip',
    misfireGraceSec: 60,
    jitterSec: 0,
    enabled: true,
    webhooks: [],
    keepRuns: 0,
    ...overrides,
  };
}

/** A job to create, with one schedule every minute whose cursor is `nextFireAt`, if given. */
export function newJob(
  overrides: Partial<Omit<JobSpec, 'schedules'>> = {},
  nextFireAt?: number,
): NewJob {
  return {
    id: newId(),
    spec: jobSpec(overrides),
    schedules:
      nextFireAt === undefined
        ? []
        : [
            {
              id: newId(),
              spec: { kind: 'every', everySec: 60, enabled: true },
              anchorAt: 0,
              nextFireAt,
            },
          ],
  };
}
