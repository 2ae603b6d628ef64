// An idle agent on a store of its own asks that store once a lease, not once a second: the scheduler
// and runner as the agent wires them (reapEveryMs), on a real SQLite store whose calls are counted,
// over a minute of mocked timers (issue 23: the idle agent's CPU went from 0.18 to 0.33 % of a core
// when the reaper came to look every L/12).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { systemClock } from '../clock.ts';
import { silentLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createJobsEvents } from './events.ts';
import { DEFAULT_LEASE_MS, leaseTiming, reapEveryMs } from './lease-timing.ts';
import { createPackageStore } from './process/packages.ts';
import { createRunner } from './runner.ts';
import { createScheduler } from './scheduler.ts';

let dir: string;
describe('reaper-idle', () => {
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-reaper-idle-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `store` with every method call recorded by name. */
  function counted(store: Store): { store: Store; calls: string[] } {
    const calls: string[] = [];
    const proxy = new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { store: proxy, calls };
  }

  /** Lets what the fired timers started (store calls, their continuations) run to its end. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('an idle agent on its own store asks it once a lease, and only the reaper wakes it', async () => {
    const sqlite = createSqliteStore({ path: ':memory:' });
    await sqlite.migrate();
    assert.equal(sqlite.capabilities.sharedByNodes, false);
    const { store, calls } = counted(sqlite);
    const lease = leaseTiming(DEFAULT_LEASE_MS);
    const reapMs = reapEveryMs(lease, store.capabilities.sharedByNodes);

    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    try {
      const events = createJobsEvents(() => {});
      const runner = createRunner({
        store,
        events,
        packages: createPackageStore(path.join(dir, 'packages')),
        logger: silentLogger(),
        clock: systemClock,
        nodeId: 'idle-node',
        workRoot: path.join(dir, 'work'),
        baseEnv: {},
        config: { slots: 4, logCapBytes: 1 << 20, lease },
        onSlotFree: () => {},
        onRunEnded: () => {},
      });
      // The agent's settings for a store of its own (agent.ts).
      const scheduler = createScheduler({
        store,
        runner,
        events,
        logger: silentLogger(),
        clock: systemClock,
        nodeId: 'idle-node',
        defaultTz: 'UTC',
        config: {
          lookaheadMs: 1000,
          claimAheadMs: 50,
          pollMs: 60_000,
          notified: false,
          blockedMs: 1000,
          leaseMs: lease.leaseMs,
          reapMs,
          pruneMs: 10 * 60_000,
          prune: { keepRuns: 100, maxAgeMs: 86_400_000, logBudgetBytes: 1 << 30 },
          catchupLimit: 100,
        },
      });
      await scheduler.start();
      await settle();
      calls.length = 0; // recovery, the first pass and retention are the start's, not idling

      // Just under the poll, so that only the housekeeping timers can have fired.
      const idleMs = 60_000 - 1;
      for (let t = 0; t < idleMs; t += 500) {
        mock.timers.tick(Math.min(500, idleMs - t));
        await settle();
      }
      const looks = Math.floor(idleMs / lease.leaseMs);
      // Each look is one call (the clock while the reaper waits a lease of contact, then loseRuns);
      // at L/12 it would be 59.
      assert.equal(calls.length, looks, `store calls while idle: ${calls.join(', ')}`);
      assert.ok(calls.every((name) => name === 'now' || name === 'loseRuns'));

      await scheduler.stop();
      await runner.shutdown(0);
    } finally {
      mock.timers.reset();
      sqlite.close();
    }
  });

  it('on a store shared by nodes the reaper still looks every L/12, for a fast failover', () => {
    const lease = leaseTiming(DEFAULT_LEASE_MS);
    assert.equal(reapEveryMs(lease, true), lease.reapMs);
    assert.ok(
      lease.leaseMs + reapEveryMs(lease, true) <= 15_000,
      'a dead node fails over within 15 s',
    );
  });
});
