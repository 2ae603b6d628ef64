// The jobs service on a real SQLite store and runner, without a scheduler: runs made here stay
// queued, which is what stopJob and upsertJob need to be seen on their own.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createJobsCore } from '../../test/support/jobs-core.ts';
import { newJob } from '../../test/support/jobs.ts';
import { isAgentError } from '../errors.ts';
import type { JobsService } from './jobs-service.ts';
import type { Store } from '../store/store.ts';
import type { Runner } from './runner.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-jobs-service-'));
let jobs: JobsService;
let runner: Runner;
let store: Store;
let nodeId: string;
describe('jobs-service', () => {
  before(async () => {
    ({ jobs, runner, store, nodeId } = await createJobsCore(dir));
  });
  after(async () => {
    await runner.shutdown(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const code = (expected: string, message: RegExp) => (err: unknown) =>
    isAgentError(err) && err.code === expected && message.test(err.message);

  describe('upsertJob', () => {
    it('creates the job of a name, then replaces it, keeping its id', async () => {
      const first = await jobs.upsertJob('nightly', { cmd: 'echo one' });
      assert.equal(first.created, true);
      assert.equal(first.state.job.name, 'nightly');
      const second = await jobs.upsertJob('nightly', { name: 'nightly', cmd: 'echo two' });
      assert.equal(second.created, false);
      assert.equal(second.state.job.id, first.state.job.id);
      assert.equal(second.state.job.cmd, 'echo two');
      assert.equal(second.state.job.version, 2);
    });

    it('refuses a body that names another job, and a name that reads as an id', async () => {
      await assert.rejects(
        jobs.upsertJob('a-name', { name: 'other', cmd: 'true' }),
        code('INVALID_INPUT', /the body names the job "other", the path "a-name"/),
      );
      const { state } = await jobs.upsertJob('by-id', { cmd: 'true' });
      await assert.rejects(
        jobs.upsertJob(state.job.id, { cmd: 'echo named like an id' }),
        code('INVALID_INPUT', /must not be all digits/),
      );
      assert.equal((await jobs.getJob(state.job.id)).job.cmd, 'true', 'the job of that id is kept');
    });
  });

  describe('stopJob', () => {
    it('stops every run of the job not yet ended and answers them; none when nothing goes', async () => {
      const { state } = await jobs.upsertJob('stop-all', { cmd: 'sleep 60', overlap: 'allow' });
      const a = await jobs.runNow(state.job.id);
      const b = await jobs.runNow(state.job.id);
      const other = await jobs.upsertJob('stop-other', { cmd: 'sleep 60' });
      const untouched = await jobs.runNow(other.state.job.id);
      const stopped = await jobs.stopJob('stop-all', { signal: 'SIGINT', graceMs: 5000 });
      assert.deepEqual(stopped.map((r) => r.id).sort(), [a.run.id, b.run.id].sort());
      for (const r of stopped) assert.equal(r.state, 'canceled');
      assert.equal((await jobs.getRun(untouched.run.id)).state, 'queued');
      assert.deepEqual(await jobs.stopJob('stop-all'), []);
    });

    it('refuses a savepoint for a command job and an unknown job', async () => {
      await jobs.upsertJob('no-savepoint', { cmd: 'true' });
      await assert.rejects(
        jobs.stopJob('no-savepoint', { savepoint: true }),
        code('INVALID_INPUT', /not a pipeline; only pipelines take a savepoint/),
      );
      await assert.rejects(jobs.stopJob('no-such-job'), code('NOT_FOUND', /does not exist/));
    });

    it('gives a savepoint at least a minute to be written, and a stop the grace it asks for', async () => {
      const job = await store.createJob(
        newJob({ kind: 'pipeline', cmd: '', pipeline: { format: 'json', config: '{}' } }),
      );
      await store.createRun(job.id, {});
      await store.createRun(job.id, {});
      // Other tests' queued runs are claimed too: this job's two are the ones looked at.
      const claimed = (await store.claimRuns(nodeId, 16, Date.now() + 1000, 0, 30_000)).claimed;
      const [first, second] = claimed
        .filter((c) => c.run.jobId === job.id)
        .map((c) => ({ runId: c.run.id, token: c.leaseToken }));
      await jobs.stopRun(first!.runId, { savepoint: true });
      await jobs.stopRun(second!.runId, { savepoint: true, graceMs: 2000 });
      // The owner hears the stop and its grace with its next renewal.
      const kept = await store.renewLeases(nodeId, [first!, second!], 30_000);
      const grace = new Map(kept.map((k) => [k.runId, [k.stopSignal, k.stopGraceMs]]));
      assert.deepEqual(grace.get(first!.runId), ['SIGUSR1', 60_000]);
      assert.deepEqual(grace.get(second!.runId), ['SIGUSR1', 2000]);
    });
  });
});
