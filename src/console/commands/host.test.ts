// memory, agent, dashboard, ps and top against the real host monitor; heapdump and profiler writing real
// files.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STATUS } from '../model.ts';
import { agentCommand } from './agent.ts';
import { createDashboardCommand } from './dashboard.ts';
import { heapdumpCommand } from './heapdump.ts';
import { memoryCommand } from './memory.ts';
import { createProfilerCommand } from './profiler.ts';
import { psCommand } from './ps.ts';
import {
  createTestDeps,
  runCommand,
  type TestDeps,
} from '../../../test/support/console-commands.ts';
import { createConsoleState } from './support/console-state.ts';
import { topCommand } from './top.ts';

const state = createConsoleState();
describe('host', () => {
  after(() => state.gc.close());
  const dashboardCommand = createDashboardCommand(state);

  let t: TestDeps;
  before(async () => {
    t = await createTestDeps({ monitor: true });
  });
  after(() => t.close());

  describe('memory and agent', () => {
    it('reports the heap with its spaces, non-heap and buffers', async () => {
      const [item] = await runCommand(memoryCommand, [], t.deps);
      const info = item?.memoryInfo as Record<string, Array<{ name: string; used: number }>>;
      assert.deepEqual(Object.keys(info), ['heap', 'nonheap', 'buffer_pool']);
      assert.equal(info.heap?.[0]?.name, 'heap');
      assert.ok(info.heap?.some((e) => e.name === 'old_space'));
      assert.ok((info.nonheap?.find((e) => e.name === 'rss')?.used ?? 0) > 0);
    });

    it('reports the process, its event loop and its handles', async () => {
      const [item] = await runCommand(agentCommand, [], t.deps);
      assert.equal(item?.pid, process.pid);
      assert.equal(item?.version, '0.0.0-test');
      assert.ok((item?.uptimeSec as number) >= 90);
      const loop = item?.eventLoop as Record<string, number>;
      assert.ok(loop.utilization !== undefined && loop.utilization >= 0 && loop.utilization <= 1);
      assert.ok(Number.isFinite(loop.delayMeanMs));
      assert.ok((item?.fds as number) > 0);
    });
  });

  describe('dashboard', () => {
    it('emits -n items with host, agent and runs', async () => {
      const items = await runCommand(dashboardCommand, ['-i', '100', '-n', '3'], t.deps);
      assert.equal(items.length, 3);
      const host = items[0]?.host as { hostname: string; memory: { total: number } };
      assert.ok(host.hostname.length > 0);
      assert.ok(host.memory.total > 0);
      assert.deepEqual(items[0]?.runs, []);
    });

    it("fills Arthas's runtimeInfo, memoryInfo, threads and gcInfos with the process's values", async () => {
      const [item] = await runCommand(dashboardCommand, ['-n', '1'], t.deps);
      const runtime = item?.runtimeInfo as Record<string, unknown>;
      assert.equal(runtime.javaVersion, process.version);
      assert.ok(typeof runtime.timestamp === 'number' && runtime.timestamp > 0);
      assert.ok((runtime.uptime as number) >= 90_000, 'ms since the agent started');
      assert.equal(runtime.processors, os.availableParallelism());
      const memory = item?.memoryInfo as Record<string, Array<Record<string, unknown>>>;
      for (const group of ['heap', 'nonheap', 'buffer_pool']) {
        assert.ok((memory[group]?.length ?? 0) > 0, group);
        for (const e of memory[group] ?? []) {
          assert.equal(e.type, group);
          for (const k of ['used', 'total', 'max']) assert.equal(typeof e[k], 'number');
        }
      }
      const threads = item?.threads as Array<Record<string, unknown>>;
      const main = threads.find((x) => x.id === process.pid);
      assert.ok(main, 'the event-loop thread is listed by its tid');
      assert.equal(main.group, 'main');
      assert.equal(main.daemon, false);
      for (const th of threads) {
        // Arthas's web console calls toString() on every field of every thread.
        for (const k of ['id', 'name', 'cpu', 'daemon', 'deltaTime', 'group', 'interrupted']) {
          assert.notEqual(th[k], undefined, k);
        }
        assert.match(String(th.state), /^(RUNNABLE|WAITING|BLOCKED|TERMINATED)$/);
      }
      const gc = item?.gcInfos as Array<{ name: string; collectionCount: number }>;
      assert.ok(gc.some((g) => g.name === 'mark-compact'));
    });

    it('stops when interrupted', async () => {
      const controller = new AbortController();
      const items = await runCommand(dashboardCommand, ['-i', '100'], t.deps, {
        controller,
        onItem: (_item, all) => {
          if (all.length === 2) controller.abort();
        },
      });
      assert.equal(items.length, 2);
    });

    it('refuses an interval under 100 ms or over a day, and a count over a million', async () => {
      await assert.rejects(runCommand(dashboardCommand, ['-i', '10'], t.deps), {
        statusCode: STATUS.BAD_ARGS,
        message: "dashboard: -i must be a whole number from 100 to 86400000, not '10'",
      });
      // 2^31 ms would overflow setTimeout, which then fires at once: a refresh loop without a pause.
      await assert.rejects(runCommand(dashboardCommand, ['-i', String(2 ** 31)], t.deps), {
        statusCode: STATUS.BAD_ARGS,
        message: "dashboard: -i must be a whole number from 100 to 86400000, not '2147483648'",
      });
      await assert.rejects(runCommand(dashboardCommand, ['-n', '1000001'], t.deps), {
        statusCode: STATUS.BAD_ARGS,
        message: "dashboard: -n must be a whole number from 1 to 1000000, not '1000001'",
      });
    });
  });

  describe('ps and top', () => {
    it('ps lists processes by pid, this one among them', async () => {
      const [item] = await runCommand(psCommand, [], t.deps);
      const pids = (item?.processes as Array<{ pid: number }>).map((p) => p.pid);
      assert.deepEqual(
        pids,
        [...pids].sort((a, b) => a - b),
      );
      assert.ok(pids.includes(process.pid));
    });

    it('top sorts by cpu and -n limits', async () => {
      const [item] = await runCommand(topCommand, ['-n', '3'], t.deps);
      const cpu = (item?.processes as Array<{ cpuPercent: number }>).map((p) => p.cpuPercent);
      assert.ok(cpu.length <= 3 && cpu.length > 0);
      assert.deepEqual(
        cpu,
        [...cpu].sort((a, b) => b - a),
      );
    });
  });

  describe('heapdump and profiler', () => {
    it('says in its help that heapdump blocks the agent while it writes', () => {
      assert.match(heapdumpCommand.summary, /blocks the whole agent while writing/);
    });

    it('writes a heap snapshot under the dump dir with its download urls', async () => {
      const items = await runCommand(heapdumpCommand, [], t.deps);
      assert.deepEqual(
        items.map((i) => i.type),
        ['message', 'message', 'heapdump'],
      );
      const item = items[2];
      const file = String(item?.dumpFile);
      assert.equal(path.dirname(file), t.deps.dumpDir);
      assert.equal(item?.url, `/api/v1/dumps/${path.basename(file)}`);
      assert.equal(item?.arthasUrl, `/arthas-output/${path.basename(file)}`);
      assert.equal(item?.live, true);
      assert.equal(item?.size, statSync(file).size);
      assert.ok(JSON.parse(readFileSync(file, 'utf8')).snapshot !== undefined);
    });

    it('writes a named heap snapshot in the dump dir only, never over a file', async () => {
      const items = await runCommand(heapdumpCommand, ['--live', 'named.hprof'], t.deps);
      const item = items.at(-1);
      assert.equal(item?.dumpFile, path.join(t.deps.dumpDir, 'named.hprof'));
      await assert.rejects(runCommand(heapdumpCommand, ['named.hprof'], t.deps), {
        statusCode: STATUS.FAILED,
        message: /^heap dump error: File exists/,
      });
      for (const outside of ['../x.hprof', '/tmp/x.hprof', 'sub/x.hprof', '.hidden']) {
        await assert.rejects(runCommand(heapdumpCommand, [outside], t.deps), {
          statusCode: STATUS.FAILED,
          message: /is outside the dump directory/,
        });
      }
    });

    it('starts, reports and stops a CPU profile, writing a .cpuprofile', async () => {
      const profiler = createProfilerCommand(state);
      await assert.rejects(runCommand(profiler, ['stop'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: 'AsyncProfiler error: Profiler is not active',
      });
      const [listed] = await runCommand(profiler, ['list'], t.deps);
      assert.equal(listed?.executeResult, 'Basic events:\n  cpu\n');
      // Arthas's web console appends words to start (a bug of its own): they are ignored.
      const [started] = await runCommand(
        profiler,
        ['start', '-e', 'cpu', '[object', 'Object]'],
        t.deps,
      );
      assert.equal(started?.running, true);
      assert.equal(started?.executeResult, 'Profiling started\n');
      await assert.rejects(runCommand(profiler, ['start'], t.deps), {
        message: 'AsyncProfiler error: Profiler already started',
      });
      const [status] = await runCommand(profiler, ['status'], t.deps);
      assert.equal(status?.running, true);
      assert.match(String(status?.executeResult), /^Profiling is running for \d+ seconds\n$/);
      const [samples] = await runCommand(profiler, ['getSamples'], t.deps);
      assert.match(String(samples?.executeResult), /^\d+\n$/);
      // Another registry's profiler is its own.
      const [other] = await runCommand(createProfilerCommand(), ['status'], t.deps);
      assert.equal(other?.running, false);
      assert.match(String(other?.executeResult), /not active/);
      const [stopped] = await runCommand(profiler, ['stop'], t.deps);
      const file = String(stopped?.file);
      assert.equal(stopped?.executeResult, 'OK\n');
      assert.equal(stopped?.outputFile, `/arthas-output/${path.basename(file)}`);
      assert.match(path.basename(file), /^profile-.*\.cpuprofile$/);
      assert.ok(existsSync(file));
      assert.ok(Array.isArray(JSON.parse(readFileSync(file, 'utf8')).nodes));
      assert.equal(stopped?.url, `/api/v1/dumps/${path.basename(file)}`);
      const [after] = await runCommand(profiler, ['status'], t.deps);
      assert.equal(after?.running, false);
      assert.equal(after?.file, file);
    });

    it('refuses events and filters V8 cannot sample', async () => {
      const profiler = createProfilerCommand();
      await assert.rejects(runCommand(profiler, ['start', '--event', 'alloc'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: /^AsyncProfiler error: Unsupported event: alloc/,
      });
      await assert.rejects(runCommand(profiler, ['start', '--include', 'x'], t.deps), {
        statusCode: STATUS.EXCEPTION,
      });
      const [status] = await runCommand(profiler, ['status'], t.deps);
      assert.equal(status?.running, false);
    });

    it('refuses an unknown action and -d without start', async () => {
      const profiler = createProfilerCommand();
      await assert.rejects(runCommand(profiler, ['go'], t.deps), { statusCode: STATUS.BAD_ARGS });
      await assert.rejects(runCommand(profiler, ['stop', '-d', '5'], t.deps), {
        statusCode: STATUS.BAD_ARGS,
      });
    });
  });
});
