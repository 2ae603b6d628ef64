// The jobs service on a real SQLite store and runner, without a scheduler: runs made here stay
// queued, which is what stopJob and upsertJob need to be seen on their own.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createJobsCore } from '../../test/support/jobs-core.ts';
import { isAgentError } from '../errors.ts';
import type { JobsService } from './jobs-service.ts';
import type { Runner } from './runner.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-jobs-service-'));
let jobs: JobsService;
let runner: Runner;
before(async () => {
  ({ jobs, runner } = await createJobsCore(dir));
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
});
