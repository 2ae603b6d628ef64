// One console job: a command line's pipeline run once, from READY to TERMINATED, ending with exactly
// one `status` item however it ends (done, failed, interrupted, timed out).
import {
  helpText,
  parseCommandArgs,
  type CommandContext,
  type ConsoleCommand,
  type Stage,
} from './command.ts';
import type { CommandLine } from './command-line.ts';
import {
  CommandFailure,
  STATUS,
  type ConsoleJobStatus,
  type ItemBody,
  type ResultItem,
} from './model.ts';
import { renderItem } from './render.ts';

export const TIMEOUT_MESSAGE = 'The job is exceeded time limit, force interrupt';

export type EndReason = 'interrupt' | 'timeout' | 'unhealthy' | 'close';

export interface ConsoleJob {
  readonly id: number;
  readonly command: string;
  readonly startedAt: number;
  readonly status: ConsoleJobStatus;
  background: boolean;
  /** Why the job was stopped early, if it was. */
  readonly endReason: EndReason | undefined;
  /** Resolves once the job is TERMINATED and its status item was emitted. */
  readonly done: Promise<void>;
  /** Stops the job now; its command gets the abort and its later items are ignored. */
  stop(reason: EndReason): void;
}

export interface JobOptions {
  id: number;
  command: string;
  line: CommandLine;
  /** The commands, loaded on the first console job. */
  registry: Promise<ReadonlyMap<string, ConsoleCommand>>;
  /** Where the job's items go (the session stream, or exec's own list). */
  sink: (item: ResultItem) => void;
  /** Builds the command's context around the job's emit, sleep and signal. */
  context: (
    job: Pick<CommandContext, 'signal' | 'emit' | 'sleep'> & { readonly id: number },
  ) => CommandContext;
  timeoutMs: number;
  now?: () => number;
}

export function startJob(options: JobOptions): ConsoleJob {
  const { id, sink } = options;
  const abort = new AbortController();
  let terminated = false;
  // Resolved by stop() itself: a listener on the signal costs more than the rest of a short job.
  let onAborted!: () => void;
  const aborted = new Promise<void>((resolve) => (onAborted = resolve));

  const stages: Stage[] = [];
  // Items are plain JSON objects; the typed interfaces of items.ts only lack the index signature.
  const itemOf = (body: ItemBody): ResultItem => ({
    ...(body as object),
    type: body.type,
    jobId: id,
  });
  const send = <T extends ItemBody>(body: T) => {
    if (!terminated) sink(itemOf(body));
  };
  // Through the pipe: render, filter line by line, pass on what is left as text.
  const emit = <T extends ItemBody>(body: T) => {
    if (stages.length === 0) return send(body);
    const text = renderItem(itemOf(body));
    if (text !== '') pipe(text.split('\n'), 0);
  };
  const pipe = (lines: readonly string[], from: number) => {
    let out = lines;
    for (let i = from; i < stages.length && out.length > 0; i++) {
      out = out.flatMap((line) => (stages[i] as Stage).line(line));
    }
    if (out.length > 0) send({ type: 'text', text: out.join('\n') });
  };

  const sleep = (ms: number): Promise<boolean> =>
    abort.signal.aborted
      ? Promise.resolve(false)
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            abort.signal.removeEventListener('abort', onAbort);
            resolve(true);
          }, ms);
          const onAbort = () => {
            clearTimeout(timer);
            resolve(false);
          };
          abort.signal.addEventListener('abort', onAbort, { once: true });
        });

  const run = async (): Promise<{ statusCode: number; message?: string }> => {
    const argvs = options.line.stages;
    const first = argvs[0] as readonly string[];
    const name = first[0] as string;
    const registry = await options.registry;
    const spec = lookup(registry, name);
    if (spec.kind === 'stage') {
      throw new CommandFailure(
        `${name} reads the output of another command: use it after a pipe, e.g. 'sysenv | ${name} PATH'`,
        STATUS.BAD_ARGS,
      );
    }
    for (let i = 1; i < argvs.length; i++) {
      const argv = argvs[i] as readonly string[];
      const stage = lookup(registry, argv[0] as string);
      if (stage.kind !== 'stage') {
        const names = [...registry.values()].filter((c) => c.kind === 'stage');
        throw new CommandFailure(
          `'${stage.name}' cannot read from a pipe; after '|' use ${names.map((c) => c.name).join(' or ')}`,
          STATUS.BAD_ARGS,
        );
      }
      const args = parseCommandArgs(stage, argv.slice(1));
      if (args === undefined) {
        send({ type: 'help', text: helpText(stage) });
        return { statusCode: STATUS.OK };
      }
      stages.push(stage.create(args));
    }
    const args = parseCommandArgs(spec, first.slice(1));
    if (args === undefined) {
      send({ type: 'help', text: helpText(spec) });
      return { statusCode: STATUS.OK };
    }
    const ctx = options.context({ id, signal: abort.signal, emit, sleep });
    // A command that ignores the abort is left behind: the job ends on time regardless.
    await Promise.race([spec.run(ctx, args), aborted]);
    if (!abort.signal.aborted) {
      stages.forEach((stage, i) => pipe(stage.end(), i + 1));
    }
    return { statusCode: STATUS.OK };
  };

  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  timer.unref();

  const finish = (statusCode: number, message?: string) => {
    clearTimeout(timer);
    if (terminated) return;
    send({ type: 'status', statusCode, ...(message === undefined ? {} : { message }) });
    terminated = true;
    job.status = 'TERMINATED';
  };

  function stop(reason: EndReason) {
    if (terminated || abort.signal.aborted) return;
    job.endReason = reason;
    abort.abort(reason);
    onAborted();
    // Interrupts end with 0 (Arthas's Ctrl+C); a timeout is a terminate(), -10.
    if (reason === 'timeout') finish(STATUS.TERMINATED, TIMEOUT_MESSAGE);
    else finish(STATUS.OK);
  }

  async function lifecycle(): Promise<void> {
    // Let the caller see READY and register the job before it runs.
    await Promise.resolve();
    job.status = 'RUNNING';
    try {
      const { statusCode, message } = await run();
      finish(statusCode, message);
    } catch (err) {
      if (err instanceof CommandFailure) finish(err.statusCode, err.message);
      else finish(STATUS.EXCEPTION, `${options.line.stages[0]?.[0]}: ${(err as Error).message}`);
    }
  }

  // Plain fields, no accessors: an object literal with a getter costs V8 ~15× a plain one.
  const job: ConsoleJob & { status: ConsoleJobStatus; endReason: EndReason | undefined } = {
    id,
    command: options.command,
    startedAt: (options.now ?? Date.now)(),
    status: 'READY',
    background: options.line.background,
    endReason: undefined,
    done: lifecycle(),
    stop,
  };
  return job;
}

function lookup(registry: ReadonlyMap<string, ConsoleCommand>, name: string): ConsoleCommand {
  const spec = registry.get(name);
  if (spec === undefined) {
    throw new CommandFailure(`${name}: command not found; type 'help' to list the commands`);
  }
  return spec;
}
