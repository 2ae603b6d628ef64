// `thread [--all] [-n N] [-b] [-i ms] [--state S] [<id>]`: the agent's threads (the event loop,
// V8's and libuv's helpers, from /proc/self/task) with their CPU use over a sample, counts by state,
// the busiest N, or one thread, in Arthas's thread shapes. JavaScript has no monitors or locks, so
// `-b` finds no blocking thread, as Arthas answers when there is none; no thread has a Java stack.
import { intOption, type CommandSpec } from '../command.ts';
import type { ThreadDetail, ThreadItem, ThreadStats } from '../items.ts';
import { CommandFailure, STATUS } from '../model.ts';
import type { ConsoleState } from './support/console-state.ts';
import { countStates, createThreadSampler, THREAD_STATES } from './support/thread-sampler.ts';

export function createThreadCommand(state: ConsoleState): CommandSpec {
  return {
    kind: 'command',
    name: 'thread',
    summary: "the agent's threads with CPU use and state; the busiest N; one thread",
    usage: 'thread [--all] [-n <count>] [-b] [-i <ms>] [--state <state>] [<id>]',
    optionHelp: [
      '--all                 list every thread (the default)',
      '-n, --top-n-threads <count>  the busiest threads, -1 for all',
      '-b                    the thread blocking others (JavaScript has none)',
      "-i, --sample-interval <ms>  CPU sampling window, 0 to 60000 (default: option 'thread-sample-interval', 200)",
      '--state <state>       only threads in this state: NEW, RUNNABLE, BLOCKED, WAITING, TIMED_WAITING, TERMINATED',
    ],
    examples: ['thread', 'thread -n 3', 'thread --state RUNNABLE', `thread ${process.pid}`],
    options: {
      all: { type: 'boolean' },
      'top-n-threads': { type: 'string', short: 'n' },
      b: { type: 'boolean', short: 'b' },
      lockedMonitors: { type: 'boolean' },
      lockedSynchronizers: { type: 'boolean' },
      'sample-interval': { type: 'string', short: 'i' },
      state: { type: 'string' },
    },
    positionals: { min: 0, max: 1 },
    async run(ctx, { values, positionals }) {
      const top = intOption(values['top-n-threads'], 'thread: -n', { min: -1, max: 100_000 });
      const intervalMs =
        intOption(values['sample-interval'], 'thread: -i', { min: 0, max: 60_000 }) ??
        state.options(ctx.deps.config).get('thread-sample-interval');
      const [rawId] = positionals;
      if (rawId !== undefined) {
        const id = intOption(rawId, 'thread: id', { min: 1, max: 2 ** 31 - 1 }) as number;
        const thread = createThreadSampler()
          .sample()
          .find((t) => t.id === id);
        if (thread === undefined) {
          throw new CommandFailure(`thread do not exist! id: ${id}`, STATUS.EXCEPTION);
        }
        const item: ThreadItem = { type: 'thread', threadInfo: detail(thread) };
        ctx.emit(item);
        return;
      }
      if (values.b === true) {
        throw new CommandFailure('No most blocking thread found!', STATUS.EXCEPTION);
      }
      const wanted = typeof values.state === 'string' ? values.state.toUpperCase() : undefined;
      if (wanted !== undefined && !(THREAD_STATES as readonly string[]).includes(wanted)) {
        throw new CommandFailure(
          `Illegal argument, state should be one of [${THREAD_STATES.join(', ')}]`,
          STATUS.EXCEPTION,
        );
      }
      const sampler = createThreadSampler();
      if (!(await ctx.sleep(intervalMs))) return;
      const threads = sampler.sample();
      if (top !== undefined) {
        const busy = top === -1 ? threads : threads.slice(0, top);
        const item: ThreadItem = { type: 'thread', busyThreads: busy.map(detail) };
        ctx.emit(item);
        return;
      }
      const item: ThreadItem = {
        type: 'thread',
        all: values.all === true,
        threadStats: wanted === undefined ? threads : threads.filter((t) => t.state === wanted),
        threadStateCount: countStates(threads),
      };
      ctx.emit(item);
    },
  };
}

/** A thread in Arthas's ThreadInfo/BusyThreadInfo shape: no locks, waits or Java stack to report. */
function detail(t: ThreadStats): ThreadDetail {
  return {
    ...t,
    threadId: t.id,
    threadName: t.name,
    threadState: t.state,
    blockedCount: 0,
    blockedTime: -1,
    waitedCount: 0,
    waitedTime: -1,
    lockOwnerId: -1,
    inNative: true,
    suspended: false,
    lockedMonitors: [],
    lockedSynchronizers: [],
    stackTrace: [],
  };
}
