// The console's options (`options [name [value]]`, Arthas's global options): the defaults some
// commands use when an option is not given, changeable at run time, and the console's limits from the
// agent's configuration, shown read-only (they are set when the agent starts).
import type { Config } from '../../../config.ts';
import { formatDuration } from '../../../units/parse.ts';
import type { ChangeResult, OptionInfo } from '../../items.ts';
import { CommandFailure, STATUS } from '../../model.ts';

interface Writable {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly min: number;
  readonly max: number;
  value: number;
}

export interface ConsoleOptions {
  /** Every option, writable ones first (level 1), then the read-only limits (level 2). */
  list(): OptionInfo[];
  /** A writable option's current value. */
  get(name: WritableName): number;
  /** Sets a writable option from its text; a CommandFailure (-1) with Arthas's message otherwise. */
  set(name: string, text: string): ChangeResult;
}

export type WritableName =
  'dashboard-interval' | 'thread-sample-interval' | 'monitor-cycle' | 'profiler-interval';

export function createConsoleOptions(config: Config): ConsoleOptions {
  const writable = new Map<string, Writable>();
  const add = (w: Omit<Writable, 'name'> & { name: WritableName }) => writable.set(w.name, w);
  add({
    name: 'dashboard-interval',
    summary: "dashboard's refresh interval when -i is not given, ms",
    description: 'Used by every dashboard started afterwards, in any session.',
    min: 100,
    max: 86_400_000,
    value: 5000,
  });
  add({
    name: 'thread-sample-interval',
    summary: "thread's CPU sampling window when -i is not given, ms",
    description: 'How long `thread` watches the threads before it answers.',
    min: 1,
    max: 60_000,
    value: 200,
  });
  add({
    name: 'monitor-cycle',
    summary: "monitor's cycle when -c is not given, seconds",
    description: 'How often `monitor` reports run statistics.',
    min: 1,
    max: 86_400,
    value: 60,
  });
  add({
    name: 'profiler-interval',
    summary: "the CPU profiler's sampling interval, microseconds",
    description: 'V8 takes one stack sample per interval while `profiler start` runs.',
    min: 10,
    max: 1_000_000,
    value: 1000,
  });
  const limits: ReadonlyArray<readonly [string, string, string]> = [
    ['console-buffer', String(config.consoleBuffer), 'result items kept per consumer'],
    ['console-batch-size', String(config.consoleBatchSize), 'items per pull_results'],
    [
      'console-batch-window',
      formatDuration(config.consoleBatchWindowMs),
      'wait for more items after the first',
    ],
    ['console-pull-wait', formatDuration(config.consolePullWaitMs), 'wait when there is nothing'],
    [
      'console-consumer-ttl',
      formatDuration(config.consoleConsumerTtlMs),
      'a consumer is removed after no pull for this long',
    ],
    [
      'console-session-ttl',
      formatDuration(config.consoleSessionTtlMs),
      'a session is closed after no use for this long',
    ],
    ['console-exec-timeout', formatDuration(config.consoleExecTimeoutMs), "exec's default timeout"],
    [
      'console-job-timeout',
      formatDuration(config.consoleJobTimeoutMs),
      'any console job is stopped after this long',
    ],
  ];
  const readOnly = new Map(limits.map(([name, value, summary]) => [name, { value, summary }]));

  return {
    list: () => [
      ...[...writable.values()].map((w) => ({
        level: 1,
        type: 'int',
        name: w.name,
        value: String(w.value),
        summary: w.summary,
        description: `${w.description} From ${w.min} to ${w.max}.`,
      })),
      ...limits.map(([name, value, summary]) => ({
        level: 2,
        type: 'String',
        name,
        value,
        summary,
        description: `Read-only here: set it with --${name} (or ${name} in bosun.yaml) when the agent starts.`,
      })),
    ],
    get: (name) => (writable.get(name) as Writable).value,
    set(name, text) {
      const w = writable.get(name);
      if (w === undefined) {
        const message = readOnly.has(name)
          ? `options[${name}] is read-only: set it with --${name} when the agent starts.`
          : `options[${name}] not found.`;
        throw new CommandFailure(message, STATUS.FAILED);
      }
      const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) {
        throw new CommandFailure(`Cannot cast option value[${text}] to type[int].`, STATUS.FAILED);
      }
      if (n < w.min || n > w.max) {
        throw new CommandFailure(
          `options[${name}] must be from ${w.min} to ${w.max}, not ${n}.`,
          STATUS.FAILED,
        );
      }
      const beforeValue = w.value;
      w.value = n;
      return { name, beforeValue, afterValue: n };
    },
  };
}
