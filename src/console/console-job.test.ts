// A console job's lifecycle: exactly one status item however it ends, the abort reaching the command,
// timeouts that end commands which ignore it, and pipe stages flushed at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandSpec, ConsoleDeps } from './command.ts';
import { parseCommandLine } from './command-line.ts';
import { grepStage } from './commands/grep.ts';
import { fakeSession } from '../../test/support/console-commands.ts';
import { wcStage } from './commands/wc.ts';
import { startJob, TIMEOUT_MESSAGE, type Registry } from './console-job.ts';
import { CommandFailure, STATUS, type ResultItem } from './model.ts';

const command = (name: string, run: CommandSpec['run']): CommandSpec => ({
  kind: 'command',
  name,
  summary: name,
  usage: name,
  positionals: { min: 0, max: 9 },
  run,
});

let sawSignal: AbortSignal | undefined;
let started = 0;
const registry: Registry = new Map(
  [
    command('lines', async (ctx, { positionals }) => {
      started += 1;
      for (const word of positionals) ctx.emit({ type: 'text', text: word });
    }),
    command('stream', async (ctx) => {
      sawSignal = ctx.signal;
      started += 1;
      for (let i = 0; (await ctx.sleep(5)) && i < 1000; i++) {
        ctx.emit({ type: 'text', text: `${i}` });
      }
      ctx.emit({ type: 'text', text: 'after the abort' });
    }),
    command('deaf', () => new Promise(() => {})), // ignores the abort and never ends
    command('nap', async (ctx) => {
      // Longer than setTimeout can wait (2^31−1 ms): unclamped, Node would end the sleep at once.
      if (await ctx.sleep(2 ** 32)) ctx.emit({ type: 'text', text: 'woke up' });
    }),
    command('refuse', async () => {
      throw new CommandFailure('refuse: not today; try tomorrow', STATUS.BAD_ARGS);
    }),
    command('crash', async () => {
      throw new Error('disk on fire');
    }),
    grepStage,
    wcStage,
  ].map((c) => [c.name, c]),
);

function run(line: string, opts: { timeoutMs?: number; registry?: Promise<Registry> } = {}) {
  const items: ResultItem[] = [];
  let ends = 0;
  const job = startJob({
    id: 7,
    command: line,
    line: parseCommandLine(line),
    registry: opts.registry ?? registry,
    deps: {} as ConsoleDeps, // the job hands deps to its command and reads nothing of them
    session: fakeSession(),
    sink: (item) => items.push(item),
    onEnd: () => (ends += 1),
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
  return { job, items, ends: () => ends };
}

const statusOf = (items: ResultItem[]) => {
  const statuses = items.filter((i) => i.type === 'status');
  assert.equal(statuses.length, 1, 'exactly one status item');
  assert.equal(items.at(-1), statuses[0], 'the status item comes last');
  return statuses[0] as ResultItem & { statusCode: number; message?: string };
};

describe('console job', () => {
  it('runs from READY to TERMINATED, ends with status 0 and calls onEnd once before done', async () => {
    const { job, items, ends } = run('lines a b');
    assert.equal(job.status, 'READY');
    assert.equal(job.id, 7);
    await job.done;
    assert.equal(job.status, 'TERMINATED');
    assert.equal(ends(), 1);
    assert.deepEqual(items.slice(0, 2), [
      { type: 'text', text: 'a', jobId: 7 },
      { type: 'text', text: 'b', jobId: 7 },
    ]);
    assert.deepEqual(statusOf(items), { type: 'status', statusCode: 0, jobId: 7 });
    assert.equal(job.endReason, undefined);
  });

  it('waits for the commands to load when the registry is still a promise', async () => {
    const { job, items } = run('lines x', { registry: Promise.resolve(registry) });
    await job.done;
    assert.equal(items[0]?.text, 'x');
    assert.equal(statusOf(items).statusCode, 0);
  });

  it('answers -h with the help text, for a command and for a pipe stage', async () => {
    for (const line of ['lines -h', 'lines a | grep -h']) {
      const { job, items } = run(line);
      await job.done;
      assert.equal(items[0]?.type, 'help', line);
      assert.equal(statusOf(items).statusCode, 0);
    }
  });

  it('reports unknown commands, failures and crashes in the status item', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['nope', STATUS.FAILED, /^nope: command not found; type 'help'/],
      ['refuse', STATUS.BAD_ARGS, /^refuse: not today; try tomorrow$/],
      ['crash', STATUS.EXCEPTION, /^crash: disk on fire$/],
      ['grep x', STATUS.BAD_ARGS, /use it after a pipe/],
      ['lines a | lines', STATUS.BAD_ARGS, /cannot read from a pipe; after '\|' use grep or wc/],
    ];
    for (const [line, code, message] of cases) {
      const { job, items } = run(line);
      await job.done;
      const status = statusOf(items);
      assert.equal(status.statusCode, code, line);
      assert.match(status.message ?? '', message, line);
    }
  });

  it('passes the output through the pipe stages and flushes them at the end', async () => {
    const { job, items } = run('lines alpha beta alphabet | grep alpha | wc -l');
    await job.done;
    assert.deepEqual(items[0], { type: 'text', text: '2', jobId: 7 });
    assert.equal(statusOf(items).statusCode, 0);
  });

  it('stops a running command: its signal aborts, its sleep ends, later items are dropped', async () => {
    sawSignal = undefined;
    const { job, items, ends } = run('stream');
    while (items.length < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    job.stop('interrupt');
    assert.equal(job.status, 'TERMINATED');
    await job.done;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const signal = sawSignal as AbortSignal | undefined; // set by the command, unseen by the narrowing
    assert.equal(signal?.aborted, true);
    assert.equal(signal?.reason, 'interrupt');
    assert.equal(job.endReason, 'interrupt');
    assert.equal(ends(), 1);
    assert.ok(!items.some((i) => i.text === 'after the abort'));
    assert.equal(statusOf(items).statusCode, STATUS.OK); // Ctrl+C ends with 0, as in Arthas
  });

  it('never starts a command stopped before it ran', async () => {
    const before = started;
    const { job, items } = run('lines a');
    job.stop('close');
    await job.done;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started, before);
    assert.deepEqual(items, [{ type: 'status', statusCode: 0, jobId: 7 }]);
  });

  it('times out a command that ignores the abort, with -10 and the timeout message', async () => {
    const { job, items } = run('deaf', { timeoutMs: 30 });
    await job.done;
    assert.equal(job.endReason, 'timeout');
    assert.deepEqual(statusOf(items), {
      type: 'status',
      statusCode: STATUS.TERMINATED,
      message: TIMEOUT_MESSAGE,
      jobId: 7,
    });
  });

  it('keeps running when its timeout or a sleep is beyond what setTimeout can wait', async () => {
    const { job, items } = run('nap', { timeoutMs: 365 * 86_400_000 });
    // Past 2^31−1 ms Node fires a timer after 1 ms: give it far longer to do so.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(job.status, 'RUNNING');
    assert.equal(job.endReason, undefined);
    job.stop('interrupt');
    await job.done;
    assert.deepEqual(statusOf(items), { type: 'status', statusCode: 0, jobId: 7 });
  });
});
