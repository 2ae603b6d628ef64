import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createTestSchema,
  startPostgres,
  type TestPostgres,
  type TestSchema,
} from '../../test/support/postgres.ts';
import { jobSpec, newJob } from '../../test/support/jobs.ts';
import { systemClock } from '../clock.ts';
import { newId } from '../ids.ts';
import { silentLogger } from '../logger.ts';
import { createPostgresStore } from '../store/postgres/postgres-store.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createJobsEvents, type JobsEvents } from './events.ts';
import { createJobsService } from './jobs-service.ts';
import { createPackageStore } from './process/packages.ts';
import { leaseTiming } from './lease-timing.ts';
import { SAVEPOINT_SIGNAL } from '../pipeline/seatunnel-status.ts';
import { createRunner } from './runner.ts';
import { createScheduler, type SchedulerConfig } from './scheduler.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-scheduler-'));
describe('scheduler', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('the scheduler', () => {
    it('makes a fire that enters the look-ahead window during a pass into a run in time', async () => {
      // A store whose passes take a while, as a loaded PostgreSQL's do: the next fire comes into the
      // window while the pass runs. It used to be taken for blocked work and wait blockedMs (here a
      // minute, so the old behaviour cannot pass by luck).
      const sqlite = createSqliteStore({ path: ':memory:' });
      await sqlite.migrate();
      const slow: Store = Object.create(sqlite) as Store;
      slow.materialize = async (...args) => {
        await new Promise((r) => setTimeout(r, 40));
        return sqlite.materialize(...args);
      };
      const { events, runner, scheduler } = schedulerOn(slow, 'node-a', {
        pollMs: 60_000,
        blockedMs: 60_000,
      });
      const jobs = createJobsService({
        store: slow,
        events,
        runner,
        packages: createPackageStore(path.join(dir, 'packages')),
        clock: systemClock,
        defaultTz: 'UTC',
        poke: () => scheduler.poke(),
      });
      try {
        await scheduler.start();
        // Created inside the window: the first pass makes what is due by then + 500 ms; the fires
        // due 40–60 ms after that come into the window while the slow pass runs. The runs sleep, so
        // no run's end wakes the scheduler before those fires are due.
        const t0 = Date.now();
        const at = [200, 545, 555, 565].map((d) => new Date(t0 + d).toISOString());
        const { job } = await jobs.createJob({
          name: 'close-fires',
          cmd: 'sleep 2',
          overlap: 'allow',
          schedules: at.map((a) => ({ kind: 'at', at: a })),
        });
        const deadline = Date.now() + 10_000;
        let runs = await slow.listRuns({ jobId: job.id, limit: 10 });
        while (Date.now() < deadline && runs.filter((r) => r.startedAt !== undefined).length < 4) {
          await new Promise((r) => setTimeout(r, 50));
          runs = await slow.listRuns({ jobId: job.id, limit: 10 });
        }
        const late = runs
          .map((r) => (r.startedAt ?? Infinity) - r.scheduledFor)
          .sort((a, b) => a - b);
        assert.equal(late.length, 4);
        // Blocked work would wait a minute, or until the first run ends 2 s later.
        assert.ok(
          late.every((ms) => ms < 1000),
          `started late by ${late.join(', ')} ms`,
        );
      } finally {
        await scheduler.stop();
        await runner.shutdown(1000);
        await sqlite.close();
      }
    });

    it('claims a run ahead of its time and starts it at its time, not before', async () => {
      const store = createSqliteStore({ path: ':memory:' });
      await store.migrate();
      const { runner, scheduler } = schedulerOn(store, 'node-a', { claimAheadMs: 300 });
      try {
        await scheduler.start();
        const job = await store.createJob(newJob({ name: 'on-time', cmd: 'true' }));
        const { run } = await store.createRun(job.id, { runAt: Date.now() + 600 });
        scheduler.poke(false);
        const ended = await settled(store, run.id);
        assert.equal(ended.state, 'succeeded');
        // Claimed 300 ms early, it must not have started before its runAt.
        assert.ok(
          (ended.startedAt ?? -Infinity) >= run.runAt,
          `started ${run.runAt - (ended.startedAt ?? NaN)} ms early`,
        );
      } finally {
        await scheduler.stop();
        await runner.shutdown(1000);
        await store.close();
      }
    });

    it("does not hold back a job's run while another job's run waits for its own", async () => {
      // A queued run blocked by its job's overlap policy used to stand for every queued run in the
      // scheduler's view, so a later run of another job waited blockedMs (a minute here).
      const store = createSqliteStore({ path: ':memory:' });
      await store.migrate();
      const { runner, scheduler } = schedulerOn(store, 'node-a', { blockedMs: 60_000 });
      try {
        await scheduler.start();
        const slow = await store.createJob(
          newJob({ name: 'slow', cmd: 'sleep 30', overlap: 'queue' }),
        );
        const first = (await store.createRun(slow.id, {})).run;
        await store.createRun(slow.id, {});
        scheduler.poke(false);
        const other = await store.createJob(newJob({ name: 'other', cmd: 'true' }));
        const { run } = await store.createRun(other.id, { runAt: Date.now() + 500 });
        scheduler.poke(false);
        assert.equal((await settled(store, run.id)).state, 'succeeded');
        assert.equal((await store.getRun(first.id))?.state, 'running');
      } finally {
        await scheduler.stop();
        await runner.shutdown(1000);
        await store.close();
      }
    });

    it('asks the store nothing on a wake-up while every slot is taken, and claims once one frees', async () => {
      const sqlite = createSqliteStore({ path: ':memory:' });
      await sqlite.migrate();
      // The real store, its two reads of due work counted.
      const counted: Store = Object.create(sqlite) as Store;
      let asked = 0;
      counted.nextDue = async (...args) => {
        asked += 1;
        return sqlite.nextDue(...args);
      };
      counted.claimRuns = async (...args) => {
        asked += 1;
        return sqlite.claimRuns(...args);
      };
      const { runner, scheduler } = schedulerOn(counted, 'node-full', {});
      // Each pass asks the runner for its free slots first: the count of passes.
      let passes = 0;
      const free = runner.free.bind(runner);
      runner.free = () => {
        passes += 1;
        return free();
      };
      const until = async (what: string, check: () => boolean | Promise<boolean>) => {
        const deadline = Date.now() + 20_000;
        while (!(await check())) {
          assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      try {
        await scheduler.start();
        const job = await sqlite.createJob(newJob({ cmd: 'sleep 0.5' }));
        for (let i = 0; i < 6; i += 1) await sqlite.createRun(job.id, {});
        scheduler.poke(false);
        await until('the four slots are taken', () => free() === 0);
        const before = { asked, passes };
        scheduler.poke(false);
        await until('a pass ran', () => passes > before.passes);
        assert.equal(
          asked,
          before.asked,
          'no slot: nothing to claim, and the runner pokes when one frees',
        );
        await until(
          'all six runs succeeded',
          async () =>
            (await sqlite.listRuns({ jobId: job.id, state: 'succeeded', limit: 10 })).length === 6,
        );
      } finally {
        await scheduler.stop();
        await runner.shutdown(1000);
        await sqlite.close();
      }
    });
  });

  async function settled(store: Store, runId: string, withinMs = 10_000) {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const run = await store.getRun(runId);
      if (run?.finishedAt !== undefined) return run;
      assert.ok(Date.now() < deadline, `run ${runId} is still ${run?.state}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  describe('the scheduler on a shared store', () => {
    let server: TestPostgres;
    let schema: TestSchema;
    before(async () => {
      server = await startPostgres();
      schema = await createTestSchema(server.url);
    });
    after(async () => {
      await schema?.drop();
      await server?.stop();
    });

    it('wakes when another node queues a run or adds a schedule, long before its poll', async () => {
      // Node B polls once an hour and never looks again at blocked work sooner: only a notification
      // from node A (a bare store, no scheduler of its own) can make it claim what A queues.
      const hour = 3_600_000;
      const a = createPostgresStore({ url: server.url, schema: schema.schema, poolSize: 2 });
      const b = createPostgresStore({ url: server.url, schema: schema.schema, poolSize: 4 });
      await a.migrate();
      const { runner, scheduler } = schedulerOn(b, 'node-b', {
        pollMs: hour,
        blockedMs: hour,
        pruneMs: hour,
        notified: true,
      });
      let listening!: () => void;
      const heard = new Promise<void>((resolve) => (listening = resolve));
      let unwatch: (() => void) | undefined;
      // A bound for a failing test only, far inside the hour that would be B's own poll.
      const until = async (what: string, check: () => Promise<boolean>) => {
        for (const deadline = Date.now() + 60_000; !(await check());) {
          if (Date.now() > deadline) assert.fail(`${what}: not in a minute`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      try {
        await scheduler.start();
        unwatch = b.watch!({
          onChange: (change) => scheduler.poke(change.jobs),
          onStatus: (status) => status.listening && listening(),
        });
        await heard;

        const job = await a.createJob(newJob({ name: 'from-node-a' }));
        const { run } = await a.createRun(job.id, {});
        await until('node B runs the run node A queued', async () => {
          const r = await a.getRun(run.id);
          return r?.state === 'succeeded' && r.nodeId === 'node-b';
        });

        // A schedule added on A: B hears that the jobs changed, makes the fire into a run and runs it.
        const at = Date.now() + 1500;
        const scheduled = await a.createJob({
          id: newId(),
          spec: jobSpec({ name: 'scheduled-on-node-a' }),
          schedules: [
            {
              id: newId(),
              spec: { kind: 'at', at: new Date(at).toISOString(), enabled: true },
              anchorAt: Date.now(),
              nextFireAt: at,
            },
          ],
        });
        await until('node B runs the fire of the schedule node A added', async () => {
          const [r] = await a.listRuns({ jobId: scheduled.id, limit: 1 });
          return r?.state === 'succeeded' && r.nodeId === 'node-b';
        });
      } finally {
        unwatch?.();
        await scheduler.stop();
        await runner.shutdown(1000);
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('the runner', () => {
    it("frees a run's slot when its process ends, while its end is still being written", async () => {
      const sqlite = createSqliteStore({ path: ':memory:' });
      await sqlite.migrate();
      // A store whose finish waits until the test lets it through, as a slow database's would.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow: Store = Object.create(sqlite) as Store;
      slow.finishRun = async (...args) => {
        await gate;
        return sqlite.finishRun(...args);
      };
      let slotFree!: () => void;
      const freed = new Promise<void>((resolve) => (slotFree = resolve));
      let runEnded!: () => void;
      const ended = new Promise<void>((resolve) => (runEnded = resolve));
      const runner = runnerOn(slow, 'node-slot', {
        slots: 1,
        onSlotFree: slotFree,
        onRunEnded: runEnded,
      });
      try {
        const job = await sqlite.createJob(newJob({ cmd: 'true' }));
        await sqlite.createRun(job.id, {});
        const [claim] = (await sqlite.claimRuns('node-slot', 1, Date.now() + 1000, 0, 30_000))
          .claimed;
        runner.start(claim!);
        assert.equal(runner.free(), 0, 'the run holds the only slot');
        await freed;
        assert.equal(runner.free(), 1, 'free once the process ended');
        assert.equal(
          (await sqlite.getRun(claim!.run.id))?.state,
          'running',
          'its end not yet written',
        );
        release();
        await ended;
        assert.equal((await sqlite.getRun(claim!.run.id))?.state, 'succeeded');
        assert.equal(runner.free(), 1);
      } finally {
        release();
        await runner.shutdown(1000);
        await sqlite.close();
      }
    });
  });

  describe("the runner's write of a run's start", () => {
    /** A SQLite store that lists the runs markStarted was called for. */
    async function countingStore() {
      const sqlite = createSqliteStore({ path: ':memory:' });
      await sqlite.migrate();
      const marked: string[] = [];
      const store: Store = Object.create(sqlite) as Store;
      store.markStarted = (runId, ...rest) => {
        marked.push(runId);
        return sqlite.markStarted(runId, ...rest);
      };
      const claimOne = async (cmd: string) => {
        const job = await sqlite.createJob(newJob({ cmd }));
        await sqlite.createRun(job.id, {});
        const { claimed } = await sqlite.claimRuns('node-start', 1, Date.now() + 1000, 0, 30_000);
        assert.equal(claimed.length, 1);
        return claimed[0]!;
      };
      return { sqlite, store, marked, claimOne };
    }

    it('comes with the end of a run that ends before it is due: one write fewer', async () => {
      const { sqlite, store, marked, claimOne } = await countingStore();
      const runner = runnerOn(store, 'node-start', { startWriteDelayMs: 3_600_000 });
      try {
        const claim = await claimOne('true');
        runner.start(claim);
        const ended = await settled(sqlite, claim.run.id);
        assert.equal(ended.state, 'succeeded');
        assert.deepEqual(marked, [], 'no write of its own');
        assert.ok((ended.pgid ?? 0) > 1, 'its process group came with its end');
        assert.ok((ended.startedAt ?? 0) <= (ended.finishedAt ?? 0));
      } finally {
        await runner.shutdown(1000);
        await sqlite.close();
      }
    });

    it('is written while a longer run runs', async () => {
      const { sqlite, store, marked, claimOne } = await countingStore();
      const runner = runnerOn(store, 'node-start', { startWriteDelayMs: 50 });
      try {
        const claim = await claimOne('sleep 30');
        runner.start(claim);
        let run = await sqlite.getRun(claim.run.id);
        while (run?.pgid === undefined) {
          await new Promise((r) => setTimeout(r, 25));
          run = await sqlite.getRun(claim.run.id);
        }
        assert.equal(run.state, 'running');
        assert.deepEqual(marked, [claim.run.id]);
      } finally {
        await runner.shutdown(1000);
        await sqlite.close();
      }
    });
  });

  describe('a pipeline run stopped with a savepoint before its engine started', () => {
    it('still writes the savepoint: the engine starts and stops at once', async () => {
      const store = createSqliteStore({ path: ':memory:' });
      await store.migrate();
      const runner = runnerOn(store, 'node-early', { slots: 1 });
      try {
        const config = {
          env: { 'job.mode': 'STREAMING', 'checkpoint.interval': 200 },
          source: [
            {
              plugin_name: 'FakeSource',
              'row.num': 100,
              'split.read-interval': 50,
              schema: { fields: { id: 'string' } },
            },
          ],
          sink: [{ plugin_name: 'Console' }],
        };
        const job = await store.createJob(
          newJob({
            kind: 'pipeline',
            cmd: '',
            pipeline: { format: 'json', config: JSON.stringify(config) },
          }),
        );
        // Claimed ahead of its time, the run waits before its engine starts: the stop comes then.
        await store.createRun(job.id, { runAt: Date.now() + 1000 });
        const [claim] = (await store.claimRuns('node-early', 1, Date.now() + 2000, 0, 30_000))
          .claimed;
        runner.start(claim!);
        assert.ok(runner.stop(claim!.run.id, SAVEPOINT_SIGNAL, 60_000));
        const ended = await settled(store, claim!.run.id, 30_000);
        assert.equal(ended.state, 'savepoint_done', ended.error);
        assert.ok(ended.checkpoint, 'the savepoint is stored');

        // Killed after the savepoint was asked for (a fence): its engine is never started.
        await store.createRun(job.id, { runAt: Date.now() + 1000 });
        const [second] = (await store.claimRuns('node-early', 1, Date.now() + 2000, 0, 30_000))
          .claimed;
        runner.start(second!);
        runner.stop(second!.run.id, SAVEPOINT_SIGNAL, 60_000);
        runner.stop(second!.run.id, 'SIGKILL', 0);
        const killed = await settled(store, second!.run.id, 30_000);
        assert.equal(killed.state, 'canceled');
        assert.equal(killed.pgid, undefined, 'its engine never started');
      } finally {
        await runner.shutdown(1000);
        await store.close();
      }
    });
  });

  /** A runner and a scheduler of node `nodeId` on `store`, with a look-ahead of 500 ms. */
  function schedulerOn(store: Store, nodeId: string, config: Partial<SchedulerConfig>) {
    const events = createJobsEvents(() => {});
    const logger = silentLogger();
    const runner = runnerOn(store, nodeId, {
      events,
      onSlotFree: () => scheduler.poke(false),
      onRunEnded: () => scheduler.poke(false),
    });
    const scheduler = createScheduler({
      store,
      runner,
      events,
      logger,
      clock: systemClock,
      nodeId,
      defaultTz: 'UTC',
      config: {
        lookaheadMs: 500,
        claimAheadMs: 50,
        pollMs: 60_000,
        blockedMs: 60_000,
        leaseMs: 30_000,
        reapMs: 10_000,
        pruneMs: 600_000,
        prune: { keepRuns: 100, maxAgeMs: 86_400_000, logBudgetBytes: 1 << 30 },
        catchupLimit: 10,
        ...config,
      },
    });
    return { events, runner, scheduler };
  }

  /** A runner of node `nodeId` on `store`, its work and packages in this file's temp dir. */
  function runnerOn(
    store: Store,
    nodeId: string,
    opts: {
      slots?: number;
      events?: JobsEvents;
      onSlotFree?: () => void;
      onRunEnded?: () => void;
      startWriteDelayMs?: number;
    } = {},
  ) {
    return createRunner({
      store,
      events: opts.events ?? createJobsEvents(() => {}),
      packages: createPackageStore(path.join(dir, `packages-${nodeId}`)),
      logger: silentLogger(),
      clock: systemClock,
      nodeId,
      workRoot: path.join(dir, `work-${nodeId}`),
      baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      config: { slots: opts.slots ?? 4, logCapBytes: 1 << 20, lease: leaseTiming(30_000) },
      onSlotFree: opts.onSlotFree ?? (() => {}),
      onRunEnded: opts.onRunEnded ?? (() => {}),
      ...(opts.startWriteDelayMs === undefined
        ? {}
        : { startWriteDelayMs: opts.startWriteDelayMs }),
    });
  }
});
