import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { systemClock } from '../clock.ts';
import { silentLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createJobsEvents } from './events.ts';
import { createJobsService } from './jobs-service.ts';
import { createPackageStore } from './process/packages.ts';
import { leaseTiming } from './lease-timing.ts';
import { createRunner } from './runner.ts';
import { createScheduler } from './scheduler.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-scheduler-'));
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
    const events = createJobsEvents(() => {});
    const logger = silentLogger();
    const runner = createRunner({
      store: slow,
      events,
      packages: createPackageStore(path.join(dir, 'packages')),
      logger,
      clock: systemClock,
      nodeId: 'node-a',
      workRoot: path.join(dir, 'work'),
      baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      config: { slots: 4, logCapBytes: 1 << 20, lease: leaseTiming(30_000) },
      onRunEnded: () => scheduler.poke(false),
    });
    const scheduler = createScheduler({
      store: slow,
      runner,
      events,
      logger,
      clock: systemClock,
      nodeId: 'node-a',
      defaultTz: 'UTC',
      config: {
        lookaheadMs: 500,
        pollMs: 60_000,
        blockedMs: 60_000,
        leaseMs: 30_000,
        reapMs: 10_000,
        pruneMs: 600_000,
        prune: { keepRuns: 100, maxAgeMs: 86_400_000, logBudgetBytes: 1 << 30 },
        catchupLimit: 10,
      },
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
});
