// A pipeline checkpoint is acknowledged to the engine only once the store holds it: an ack for one
// that was not stored would let the sinks commit rows a retry would write again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { newJob } from '../../test/support/jobs.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ClaimedRun, Store } from '../store/store.ts';
import { preparePipelineRun } from './pipeline-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'bosun-pipeline-run-'));
describe('pipeline-run', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function claimedPipelineRun(store: Store): Promise<ClaimedRun> {
    const job = await store.createJob(
      newJob({ kind: 'pipeline', cmd: '', pipeline: { format: 'json', config: '{}' } }),
    );
    await store.createRun(job.id, {});
    const { claimed } = await store.claimRuns('node-a', 1, Date.now() + 1000, 0, 30_000);
    assert.ok(claimed[0]);
    return claimed[0];
  }

  /** Sends one checkpoint as the engine would; resolves with the ack, or undefined if none came. */
  async function checkpoint(store: Store, claim: ClaimedRun, token: string) {
    const run = await preparePipelineRun({
      store,
      job: claim.job,
      run: claim.run,
      token,
      dir,
      onError: () => {},
    });
    const acks: unknown[] = [];
    const state = { checkpointId: 7, sources: [] };
    run.onControl({ type: 'checkpoint', state }, (reply) => acks.push(reply));
    await run.close();
    return acks;
  }

  describe('pipeline checkpoints', () => {
    it('are acknowledged once stored, and not when the store refused or failed them', async () => {
      const store = createSqliteStore({ path: join(dir, 'bosun.db') });
      await store.migrate();
      const claim = await claimedPipelineRun(store);
      assert.deepEqual(await checkpoint(store, claim, claim.leaseToken), [{ type: 'ack', id: 7 }]);
      assert.deepEqual((await store.getRun(claim.run.id))?.checkpoint, {
        checkpointId: 7,
        sources: [],
      });
      assert.deepEqual(await checkpoint(store, claim, 'a lost lease'), [], 'not ours: no ack');
      await store.close();
      assert.deepEqual(await checkpoint(store, claim, claim.leaseToken), [], 'not stored: no ack');
    });
  });

  describe('the engine process', () => {
    it("starts with the agent's compile cache, when the agent has one", async () => {
      const store = createSqliteStore({ path: ':memory:' });
      await store.migrate();
      try {
        const claim = await claimedPipelineRun(store);
        const prepare = () =>
          preparePipelineRun({
            store,
            job: claim.job,
            run: claim.run,
            token: claim.leaseToken,
            dir,
            onError: () => {},
          });
        // This test process has none (unless its runner gave it one): the engine gets none either.
        const before = getCompileCacheDir();
        const first = await prepare();
        assert.deepEqual(first.env, before === undefined ? {} : { NODE_COMPILE_CACHE: before });
        await first.close();
        if (before === undefined) enableCompileCache(join(dir, 'compile-cache'));
        const cache = getCompileCacheDir();
        assert.ok(cache !== undefined);
        const second = await prepare();
        assert.deepEqual(second.env, { NODE_COMPILE_CACHE: cache });
        await second.close();
      } finally {
        await store.close();
      }
    });
  });
});
