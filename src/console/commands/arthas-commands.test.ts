// The commands Arthas's web console sends, with their Node.js meaning: jvm, sysprop, perfcounter,
// vmoption, options, thread, vmtool, stop, pwd, reset, and the class commands that match nothing
// (sc, sm, trace, stack, tt), each against the real process.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentThreadTimes } from '../../jobs/thread-dump.ts';
import type { ResultItem } from '../model.ts';
import { STATUS } from '../model.ts';
import { createJvmCommand } from './jvm.ts';
import { createOptionsCommand } from './options.ts';
import { createPerfcounterCommand } from './perfcounter.ts';
import { createProfilerCommand } from './profiler.ts';
import { pwdCommand } from './pwd.ts';
import { resetCommand } from './reset.ts';
import { scCommand, smCommand } from './sc.ts';
import { stopCommand } from './stop.ts';
import { createConsoleState } from './support/console-state.ts';
import { countStates, createThreadSampler, javaState } from './support/thread-sampler.ts';
import { flagsIn, parseV8Options } from './support/v8-flags.ts';
import { syspropCommand } from './sysprop.ts';
import { createThreadCommand } from './thread.ts';
import { stackCommand, traceCommand } from './trace.ts';
import { ttCommand } from './tt.ts';
import { createVmoptionCommand } from './vmoption.ts';
import { forceGc, vmtoolCommand } from './vmtool.ts';
import {
  createTestDeps,
  runCommand,
  type TestDeps,
} from '../../../test/support/console-commands.ts';

let t: TestDeps;
const state = createConsoleState();
describe('arthas-commands', () => {
  before(async () => {
    t = await createTestDeps();
  });
  after(async () => {
    state.gc.close();
    await t.close();
  });

  /** Runs a command that fails, returning what it emitted before and the failure. */
  const runFailing = async (
    command: Parameters<typeof runCommand>[0],
    argv: string[],
  ): Promise<{ items: ResultItem[]; error: { statusCode: number; message: string } }> => {
    const items: ResultItem[] = [];
    try {
      await runCommand(command, argv, t.deps, { onItem: (i) => items.push(i) });
    } catch (err) {
      return { items, error: err as { statusCode: number; message: string } };
    }
    assert.fail(`${command.name} ${argv.join(' ')} did not fail`);
  };

  describe('jvm', () => {
    it("shows the runtime in Arthas's sections with this process's values", async () => {
      const [item] = await runCommand(createJvmCommand(state), [], t.deps);
      const info = item?.jvmInfo as Record<string, Array<{ name: string; value: unknown }>>;
      const value = (section: string, name: string) =>
        info[section]?.find((e) => e.name === name)?.value;
      assert.equal(value('RUNTIME', 'NODE-VERSION'), process.version);
      assert.deepEqual(value('RUNTIME', 'INPUT-ARGUMENTS'), process.execArgv);
      assert.equal(value('OPERATING-SYSTEM', 'PROCESSORS-COUNT'), os.availableParallelism());
      // Threads come and go (V8's and libuv's helpers); the event loop's is always there.
      assert.ok((value('THREAD', 'COUNT') as number) >= 1);
      const heap = value('MEMORY', 'HEAP-MEMORY-USAGE') as { used: number; max: number };
      assert.ok(heap.used > 0 && heap.max >= heap.used);
      assert.ok((value('FILE-DESCRIPTOR', 'OPEN-FILE-DESCRIPTOR-COUNT') as number) > 0);
    });
  });

  describe('sysprop', () => {
    it('lists string properties, shows one, and fails an unknown one as Arthas', async () => {
      const [all] = await runCommand(syspropCommand, [], t.deps);
      const props = all?.props as Record<string, string>;
      assert.equal(props['node.version'], process.version);
      assert.equal(props['process.pid'], String(process.pid));
      assert.ok(Object.values(props).every((v) => typeof v === 'string'));
      const [one] = await runCommand(syspropCommand, ['process.arch'], t.deps);
      assert.deepEqual(one?.props, { 'process.arch': process.arch });
      await assert.rejects(runCommand(syspropCommand, ['no.such'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: 'There is no property with the key no.such',
      });
    });

    it('sets process.title and refuses the read-only ones', async () => {
      const title = process.title;
      try {
        const items = await runCommand(syspropCommand, ['process.title', 'bosun-x'], t.deps);
        assert.equal(process.title, 'bosun-x');
        assert.deepEqual(
          items.map((i) => i.type),
          ['message', 'sysprop'],
        );
      } finally {
        process.title = title;
      }
      await assert.rejects(runCommand(syspropCommand, ['node.version', 'v1'], t.deps), {
        statusCode: STATUS.FAILED,
        message: /^Error during setting system property: node.version is read-only/,
      });
    });
  });

  describe('perfcounter', () => {
    it('gives name and value, and with -d units and variability', async () => {
      const perf = createPerfcounterCommand(state);
      const [plain] = await runCommand(perf, [], t.deps);
      const first = (plain?.perfCounters as Array<Record<string, unknown>>)[0];
      assert.deepEqual(Object.keys(first ?? {}), ['name', 'value']);
      const [detailed] = await runCommand(perf, ['-d'], t.deps);
      const counters = detailed?.perfCounters as Array<Record<string, unknown>>;
      const rss = counters.find((c) => c.name === 'node.rusage.maxRSS');
      assert.equal(rss?.units, 'Bytes');
      assert.ok((rss?.value as number) > 0);
      assert.ok(counters.some((c) => c.name === 'v8.gc.mark-compact.count'));
    });
  });

  describe('vmoption', () => {
    it("parses V8's flag list and the flags of a command line", () => {
      const flags = parseV8Options(
        [
          'Options:',
          '  --trace-gc (print one trace line following each garbage collection)',
          '        type: bool  default: --no-trace-gc',
          '  --stack-size (default size of stack region v8 is allowed to use (in kBytes))',
          '        type: int  default: --stack-size=984',
          '  --lazy (use lazy compilation)',
          '        type: bool  default: --lazy',
        ].join('\n'),
      );
      assert.deepEqual(flags, [
        { name: 'trace-gc', type: 'bool', defaultValue: 'false' },
        { name: 'stack-size', type: 'int', defaultValue: '984' },
        { name: 'lazy', type: 'bool', defaultValue: 'true' },
      ]);
      const types = new Map(flags.map((f) => [f.name, f.type]));
      assert.deepEqual(
        [...flagsIn(['--no-lazy', '--stack_size', '500', '--trace-gc', '--unknown=1'], types)],
        [
          ['lazy', 'false'],
          ['stack-size', '500'],
          ['trace-gc', 'true'],
        ],
      );
    });

    it('lists the flags, sets a writeable one, refuses the others with Arthas messages', async () => {
      const vmoption = createVmoptionCommand();
      const [all] = await runCommand(vmoption, [], t.deps);
      const options = all?.vmOptions as Array<{ name: string; writeable: boolean }>;
      assert.ok(options.length > 100);
      assert.ok(options.some((o) => o.name === 'max-old-space-size' && !o.writeable));
      const set = await runCommand(vmoption, ['trace_gc', 'false'], t.deps);
      assert.deepEqual(set.at(-1)?.changeResult, {
        name: 'trace-gc',
        beforeValue: 'false',
        afterValue: 'false',
      });
      const [shown] = await runCommand(vmoption, ['trace-gc'], t.deps);
      assert.deepEqual(shown?.vmOptions, [
        { name: 'trace-gc', value: 'false', origin: 'MANAGEMENT', writeable: true },
      ]);
      await assert.rejects(runCommand(vmoption, ['nope'], t.deps), {
        statusCode: STATUS.FAILED,
        message: 'Error during setting vm option: VM option "nope" does not exist',
      });
      await assert.rejects(runCommand(vmoption, ['stack-size', '100'], t.deps), {
        message: /^Error during setting vm option: VM Option "stack-size" is not writeable/,
      });
      await assert.rejects(runCommand(vmoption, ['trace-gc', 'yes'], t.deps), {
        message: /expects "true" or "false"/,
      });
    });
  });

  describe('options', () => {
    it('lists writable defaults and read-only limits, and changes one', async () => {
      const local = createConsoleState();
      try {
        const options = createOptionsCommand(local);
        const [all] = await runCommand(options, [], t.deps);
        const list = all?.options as Array<{ name: string; level: number; value: string }>;
        assert.deepEqual(
          list.find((o) => o.name === 'dashboard-interval'),
          {
            level: 1,
            type: 'int',
            name: 'dashboard-interval',
            value: '5000',
            summary: "dashboard's refresh interval when -i is not given, ms",
            description:
              'Used by every dashboard started afterwards, in any session. From 100 to 86400000.',
          },
        );
        assert.equal(list.find((o) => o.name === 'console-buffer')?.level, 2);
        const [changed] = await runCommand(options, ['monitor-cycle', '5'], t.deps);
        assert.deepEqual(changed?.changeResult, {
          name: 'monitor-cycle',
          beforeValue: 60,
          afterValue: 5,
        });
        assert.equal(local.options(t.deps.config).get('monitor-cycle'), 5);
        for (const [argv, message] of [
          [['nope', '1'], 'options[nope] not found.'],
          [['monitor-cycle', 'x'], 'Cannot cast option value[x] to type[int].'],
          [['monitor-cycle', '0'], 'options[monitor-cycle] must be from 1 to 86400, not 0.'],
          [
            ['console-buffer', '5'],
            'options[console-buffer] is read-only: set it with --console-buffer when the agent starts.',
          ],
        ] as const) {
          await assert.rejects(runCommand(options, [...argv], t.deps), {
            statusCode: STATUS.FAILED,
            message,
          });
        }
      } finally {
        local.gc.close();
      }
    });
  });

  describe('thread', () => {
    it("maps the kernel's thread states to Java's and counts every state", () => {
      assert.deepEqual(['R', 'S', 'D', 'T', 'Z', '?'].map(javaState), [
        'RUNNABLE',
        'WAITING',
        'BLOCKED',
        'WAITING',
        'TERMINATED',
        'TERMINATED',
      ]);
      const sampler = createThreadSampler();
      const counts = countStates(sampler.sample());
      assert.equal(
        Object.values(counts).reduce((a, b) => a + b, 0),
        agentThreadTimes().length,
      );
    });

    it('samples CPU per thread from a /proc task dir, busiest first', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-task-'));
      try {
        // stat(5)'s field 15 (stime) carries the CPU ticks here; a tick is 10 ms.
        const write = (tid: number, name: string, utime: number) => {
          mkdirSync(path.join(dir, String(tid)), { recursive: true });
          const fields = Array.from({ length: 48 }, () => '0');
          fields[10] = String(utime);
          writeFileSync(
            path.join(dir, String(tid), 'stat'),
            `${tid} (${name}) S 1 ${fields.join(' ')}\n`,
          );
        };
        write(10, 'main', 100);
        write(11, 'worker', 100);
        let clock = 0;
        const sampler = createThreadSampler({ taskDir: dir, now: () => clock, pid: 10 });
        write(10, 'main', 150); // 500 ms of CPU
        write(11, 'worker', 110); // 100 ms
        clock = 1000;
        const [busy, idle] = sampler.sample();
        assert.deepEqual(
          [busy?.name, busy?.cpu, busy?.deltaTime, busy?.time, busy?.group, busy?.daemon],
          ['main', 50, 500, 1500, 'main', false],
        );
        assert.deepEqual([idle?.name, idle?.cpu, idle?.daemon], ['worker', 10, true]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('lists threads with counts, the busiest with -n, one by id, and no blocking thread', async () => {
      const thread = createThreadCommand(state);
      const [all] = await runCommand(thread, ['--all', '-i', '10'], t.deps);
      const stats = all?.threadStats as Array<{ id: number }>;
      assert.ok(stats.some((s) => s.id === process.pid));
      assert.equal(all?.all, true);
      const [top] = await runCommand(thread, ['-n', '1', '-i', '10'], t.deps);
      assert.equal((top?.busyThreads as unknown[]).length, 1);
      const [one] = await runCommand(thread, [String(process.pid)], t.deps);
      assert.equal((one?.threadInfo as { threadName: string }).threadName.length > 0, true);
      await assert.rejects(runCommand(thread, ['1'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: 'thread do not exist! id: 1',
      });
      await assert.rejects(runCommand(thread, ['-b'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: 'No most blocking thread found!',
      });
      await assert.rejects(runCommand(thread, ['--state', 'SLEEPY'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: /^Illegal argument, state should be one of \[NEW, RUNNABLE/,
      });
    });
  });

  describe('vmtool', () => {
    it('forces a real full collection (the GC counter sees it)', async () => {
      const majors = () =>
        state.gc.read().find((g) => g.name === 'mark-compact')?.collectionCount ?? 0;
      const before = majors();
      forceGc();
      // The observer hears of it on a later turn of the event loop.
      for (let i = 0; i < 500 && majors() === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(majors() > before, `${before} -> ${majors()}`);
      const items = await runCommand(vmtoolCommand, ['--action', 'forceGc'], t.deps);
      assert.match(String(items[0]?.message), /^full GC done/);
      assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'no gc global left behind');
    });

    it('finds no class for getInstances and refuses other actions', async () => {
      await assert.rejects(
        runCommand(vmtoolCommand, ['--action', 'getInstances', '--className', 'a.B'], t.deps),
        { statusCode: STATUS.FAILED, message: 'Can not find class by class name: a.B.' },
      );
      await assert.rejects(runCommand(vmtoolCommand, ['--action', 'getInstances'], t.deps), {
        message: 'The className option cannot be empty!',
      });
      await assert.rejects(runCommand(vmtoolCommand, ['--action', 'mallocTrim'], t.deps), {
        statusCode: STATUS.EXCEPTION,
      });
    });
  });

  describe('profiler --file', () => {
    it("writes where Arthas's spelling says, inside the dump dir, and nowhere else", async () => {
      const profiler = createProfilerCommand(state);
      const [started] = await runCommand(
        profiler,
        ['start', '--file', 'arthas-output/%p-cpu.cpuprofile'],
        t.deps,
      );
      assert.equal(started?.file, path.join(t.deps.dumpDir, `${process.pid}-cpu.cpuprofile`));
      const [stopped] = await runCommand(profiler, ['stop'], t.deps);
      assert.equal(stopped?.outputFile, `/arthas-output/${process.pid}-cpu.cpuprofile`);
      assert.ok(JSON.parse(readFileSync(String(stopped?.file), 'utf8')).nodes.length > 0);
      await assert.rejects(runCommand(profiler, ['start', '--file', '/etc/x.html'], t.deps), {
        statusCode: STATUS.FAILED,
        message: /is outside the dump directory/,
      });
    });
  });

  describe('stop, pwd and reset', () => {
    it("a bare stop leaves the agent running and says so in Arthas's shutdown shape", async () => {
      const { items, error } = await runFailing(stopCommand, []);
      assert.deepEqual(
        { type: items[0]?.type, graceful: items[0]?.graceful },
        { type: 'shutdown', graceful: false },
      );
      assert.equal(error.statusCode, STATUS.FAILED);
      assert.match(error.message, /keeps running/);
    });

    it('pwd and reset', async () => {
      const [pwd] = await runCommand(pwdCommand, [], t.deps);
      assert.equal(pwd?.workingDir, process.cwd());
      const [reset] = await runCommand(resetCommand, [], t.deps);
      assert.equal((reset?.affect as { classCount: number }).classCount, 0);
    });
  });

  describe('class commands', () => {
    it('sc and sm find nothing, successfully, with Arthas options', async () => {
      for (const [command, argv] of [
        [scCommand, ['-d', '-f', '*Math*']],
        [scCommand, ['*x*']],
        [smCommand, ['-d', 'demo.MathGame', '*']],
      ] as const) {
        assert.deepEqual(await runCommand(command, [...argv], t.deps), [
          { type: 'row_affect', rowCount: 0, jobId: 1 },
        ]);
      }
    });

    it('trace, stack and tt -t affect nothing and fail with -1; tt -l is empty', async () => {
      for (const [command, argv] of [
        [traceCommand, ['demo.MathGame', 'run', '-n', '5', '--skipJDKMethod', 'false']],
        [stackCommand, ['demo.MathGame']],
        [ttCommand, ['-t', 'demo.MathGame', 'run', '-n', '3']],
      ] as const) {
        const { items, error } = await runFailing(command, [...argv]);
        assert.equal(items[0]?.type, 'enhancer');
        assert.equal(items[0]?.success, false);
        assert.equal(error.statusCode, STATUS.FAILED);
        assert.match(error.message, /^No class or method is affected/);
      }
      const listed = await runCommand(ttCommand, ['-l'], t.deps);
      assert.deepEqual(
        listed.map((i) => i.type),
        ['tt', 'row_affect'],
      );
      await assert.rejects(runCommand(ttCommand, ['-i', '3', '-p'], t.deps), {
        statusCode: STATUS.EXCEPTION,
        message: 'Time fragment[3] does not exist.',
      });
      await assert.rejects(runCommand(ttCommand, [], t.deps), { statusCode: STATUS.BAD_ARGS });
    });
  });
});
