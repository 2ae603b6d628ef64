// memory, agent, dashboard, ps and top against the real host monitor; heapdump and profiler writing real
// files.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STATUS } from '../model.ts';
import { agentCommand } from './agent.ts';
import { dashboardCommand } from './dashboard.ts';
import { heapdumpCommand } from './heapdump.ts';
import { memoryCommand } from './memory.ts';
import { createProfilerCommand } from './profiler.ts';
import { psCommand } from './ps.ts';
import {
  createTestDeps,
  runCommand,
  type TestDeps,
} from '../../../test/support/console-commands.ts';
import { topCommand } from './top.ts';

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

  it('writes a heap snapshot under the dump dir with its download url', async () => {
    const [item] = await runCommand(heapdumpCommand, [], t.deps);
    const file = String(item?.dumpFile);
    assert.equal(path.dirname(file), t.deps.dumpDir);
    assert.equal(item?.url, `/api/v1/dumps/${path.basename(file)}`);
    assert.equal(item?.size, statSync(file).size);
    assert.ok(JSON.parse(readFileSync(file, 'utf8')).snapshot !== undefined);
  });

  it('starts, reports and stops a CPU profile, writing a .cpuprofile', async () => {
    const profiler = createProfilerCommand();
    await assert.rejects(runCommand(profiler, ['stop'], t.deps), {
      message: "profiler: not running; start it with 'profiler start'",
    });
    const [started] = await runCommand(profiler, ['start'], t.deps);
    assert.equal(started?.running, true);
    await assert.rejects(runCommand(profiler, ['start'], t.deps), {
      message: "profiler: already running; stop it with 'profiler stop'",
    });
    const [status] = await runCommand(profiler, ['status'], t.deps);
    assert.equal(status?.running, true);
    // Another registry's profiler is its own.
    const [other] = await runCommand(createProfilerCommand(), ['status'], t.deps);
    assert.equal(other?.running, false);
    const [stopped] = await runCommand(profiler, ['stop'], t.deps);
    const file = String(stopped?.outputFile);
    assert.match(path.basename(file), /^profile-.*\.cpuprofile$/);
    assert.ok(existsSync(file));
    assert.ok(Array.isArray(JSON.parse(readFileSync(file, 'utf8')).nodes));
    assert.equal(stopped?.url, `/api/v1/dumps/${path.basename(file)}`);
    const [after] = await runCommand(profiler, ['status'], t.deps);
    assert.equal(after?.running, false);
    assert.equal(after?.outputFile, file);
  });

  it('refuses an unknown action and -d without start', async () => {
    const profiler = createProfilerCommand();
    await assert.rejects(runCommand(profiler, ['go'], t.deps), { statusCode: STATUS.BAD_ARGS });
    await assert.rejects(runCommand(profiler, ['stop', '-d', '5'], t.deps), {
      statusCode: STATUS.BAD_ARGS,
    });
  });
});
