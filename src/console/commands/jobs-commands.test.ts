// schedule, run, runs, logs, stop, watch and monitor over a real jobs service (SQLite in memory, the
// real runner running /bin/sh).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Run } from '../../model/runs.ts';
import type { CommandSpec } from '../command.ts';
import type { ResultItem } from '../model.ts';
import { STATUS } from '../model.ts';
import { localDateTime } from '../../units/display.ts';
import { cycleStats, monitorCommand } from './monitor.ts';
import { logsCommand } from './logs.ts';
import { runCommand as runCmd } from './run.ts';
import { runsCommand } from './runs.ts';
import { scheduleCommand } from './schedule.ts';
import { stopCommand } from './stop.ts';
import {
  createTestDeps,
  runCommand,
  type TestDeps,
} from '../../../test/support/console-commands.ts';
import { watchCommand } from './watch.ts';

let t: TestDeps;
describe('jobs-commands', () => {
  before(async () => {
    t = await createTestDeps();
    await t.deps.jobs.createJob({ name: 'hello', cmd: 'echo hello; echo world' });
    await t.deps.jobs.createJob({
      name: 'ticker',
      cmd: 'true',
      schedules: [{ kind: 'every', everySec: 3600 }],
    });
    await t.deps.jobs.createJob({ name: 'sleeper', cmd: 'sleep 30' });
  });
  after(() => t.close());

  const texts = (items: readonly ResultItem[]): string[] =>
    items.filter((i) => i.type === 'text').map((i) => String(i.text));
  const runOf = (item: ResultItem | undefined): Record<string, unknown> =>
    item?.run as Record<string, unknown>;

  async function finished(runId: string): Promise<ResultItem[]> {
    // watch ends by itself when the run is final, whatever its state now.
    return runCommand(watchCommand, ['run', runId], t.deps);
  }

  describe('schedule', () => {
    it('lists the jobs by name with their schedules', async () => {
      const [item] = await runCommand(scheduleCommand, [], t.deps);
      const jobs = item?.jobs as Array<{ name: string; schedules: string[]; next: number[] }>;
      assert.deepEqual(
        jobs.map((j) => j.name),
        ['hello', 'sleeper', 'ticker'],
      );
      assert.deepEqual(jobs[2]?.schedules, ['every 3600s']);
      assert.equal(jobs[2]?.next.length, 1);
      assert.deepEqual(jobs[0]?.next, []);
    });

    it('shows the next -n fire times of one job, an hour apart', async () => {
      const [item] = await runCommand(scheduleCommand, ['ticker', '-n', '3'], t.deps);
      const [job] = item?.jobs as Array<{ next: number[] }>;
      const next = job?.next ?? [];
      assert.equal(next.length, 3);
      assert.equal((next[1] ?? 0) - (next[0] ?? 0), 3_600_000);
    });

    it('says how to list jobs for an unknown one', async () => {
      await assert.rejects(runCommand(scheduleCommand, ['nope'], t.deps), {
        statusCode: STATUS.FAILED,
        message: "schedule: no job 'nope'; type 'schedule' to list them",
      });
    });
  });

  describe('run, logs, runs, watch', () => {
    it('run -f starts a run, shows its output and how it ended', async () => {
      const items = await runCommand(runCmd, ['hello', '-f'], t.deps);
      assert.equal(items[0]?.event, 'created');
      assert.deepEqual(texts(items).join('\n'), 'hello\nworld');
      const last = items.at(-1);
      assert.equal(last?.event, 'state');
      assert.equal(runOf(last).state, 'succeeded');
      assert.equal(runOf(last).exitCode, 0);

      const runId = String(runOf(items[0]).id);
      const logs = await runCommand(logsCommand, [runId], t.deps);
      assert.deepEqual(texts(logs), ['hello\nworld']);
      const [list] = await runCommand(runsCommand, ['hello'], t.deps);
      assert.deepEqual(
        (list?.runs as Array<{ id: string; job: string }>).map((r) => [r.id, r.job]),
        [[runId, 'hello']],
      );
      const watched = await runCommand(watchCommand, ['run', runId], t.deps);
      assert.deepEqual(texts(watched), ['hello\nworld']);
      assert.equal(runOf(watched.at(-1)).state, 'succeeded');
    });

    it('watch run -n stops after that many items', async () => {
      const [started] = await runCommand(runCmd, ['hello'], t.deps);
      const runId = String(runOf(started).id);
      const items = await runCommand(watchCommand, ['run', runId, '-n', '1'], t.deps);
      assert.equal(items.length, 1);
      await finished(runId);
    });

    it('stop asks a running run to stop; watch sees it end canceled', async () => {
      const [started] = await runCommand(runCmd, ['sleeper'], t.deps);
      const runId = String(runOf(started).id);
      const [stopping] = await runCommand(stopCommand, [runId], t.deps);
      assert.equal(stopping?.event, 'stopping');
      assert.equal(runOf(stopping).job, 'sleeper');
      const items = await finished(runId);
      assert.equal(runOf(items.at(-1)).state, 'canceled');
    });

    it('say what to type for unknown jobs and runs', async () => {
      await assert.rejects(runCommand(runCmd, ['nope'], t.deps), {
        message: "run: no job 'nope'; list jobs with 'schedule'",
      });
      for (const [cmd, argv] of [
        [logsCommand, ['999']],
        [stopCommand, ['999']],
        [watchCommand, ['run', '999']],
      ] as Array<[CommandSpec, string[]]>) {
        await assert.rejects(runCommand(cmd, argv, t.deps), {
          statusCode: STATUS.FAILED,
          message: `${cmd.name}: no run '999'; list runs with 'runs'`,
        });
      }
      // Arthas's `watch <class> <method>`: no class matches in a Node.js agent.
      await assert.rejects(runCommand(watchCommand, ['job', '1'], t.deps), {
        statusCode: STATUS.FAILED,
        message: /^No class or method is affected/,
      });
    });

    it('run and stop refuse on a read-only agent', async () => {
      const ro = await createTestDeps({ readOnly: true });
      try {
        await assert.rejects(runCommand(runCmd, ['hello'], ro.deps), /read-only/);
        await assert.rejects(runCommand(stopCommand, ['1'], ro.deps), /read-only/);
      } finally {
        await ro.close();
      }
    });
  });

  describe('monitor', () => {
    const base = {
      trigger: 'manual',
      attempt: 1,
      scheduledFor: 0,
      createdAt: 0,
      logBytes: 0,
      logTruncated: false,
    } as const;
    const run = (id: string, jobId: string, fields: Partial<Run>): Run => ({
      ...base,
      id,
      jobId,
      state: 'succeeded',
      runAt: 1000,
      ...fields,
    });

    it('counts the runs that ended in the cycle per job', () => {
      const names = new Map([
        ['j1', 'backup'],
        ['j2', 'report'],
      ]);
      const recent = [
        run('1', 'j1', { state: 'succeeded', startedAt: 1500, finishedAt: 2500 }),
        run('2', 'j1', { state: 'failed', startedAt: 2000, finishedAt: 5000 }),
        run('3', 'j1', { state: 'succeeded', startedAt: 100, finishedAt: 900 }), // before the cycle
        run('4', 'j2', { state: 'skipped', finishedAt: 3000 }),
        run('5', 'j3', { state: 'running', startedAt: 3000 }),
      ];
      const stats = cycleStats(recent, [recent[4] as Run], names, 1000, 6000);
      // Arthas's names too: the job is the class, `run` the method, cost the total duration.
      const arthas = (className: string, cost: number) => ({
        className,
        methodName: 'run',
        timestamp: localDateTime(6000),
        cost,
      });
      assert.deepEqual(stats, [
        {
          ...arthas('backup', 4000),
          job: 'backup',
          total: 2,
          success: 1,
          failed: 1,
          canceled: 0,
          skipped: 0,
          running: 0,
          avgDurationMs: 2000,
          avgWaitMs: 750,
        },
        {
          ...arthas('j3', 0),
          job: 'j3',
          total: 0,
          success: 0,
          failed: 0,
          canceled: 0,
          skipped: 0,
          running: 1,
          avgDurationMs: 0,
          avgWaitMs: 2000,
        },
        {
          ...arthas('report', 0),
          job: 'report',
          total: 1,
          success: 0,
          failed: 0,
          canceled: 0,
          skipped: 1,
          running: 0,
          avgDurationMs: 0,
          avgWaitMs: 0,
        },
      ]);
    });

    it('emits one item per cycle until -n', async () => {
      const items = await runCommand(monitorCommand, ['-c', '1', '-n', '2', 'hello'], t.deps);
      assert.deepEqual(
        items.map((i) => [i.type, i.cycleSec]),
        [
          ['monitor', 1],
          ['monitor', 1],
        ],
      );
      // Not a job: Arthas's `monitor <class> <method>`, which matches no class here.
      const items2: ResultItem[] = [];
      await assert.rejects(
        runCommand(monitorCommand, ['nope', 'run'], t.deps, { onItem: (i) => items2.push(i) }),
        {
          statusCode: STATUS.FAILED,
          message: /^No class or method is affected.*'nope' a bosun job/,
        },
      );
      assert.equal(items2[0]?.type, 'enhancer');
      await assert.rejects(runCommand(monitorCommand, ['hello', 'run', 'cond'], t.deps), {
        statusCode: STATUS.BAD_ARGS,
      });
    });
  });
});
