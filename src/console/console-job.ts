// One console job: a command line's pipeline run once, from READY to TERMINATED, ending with exactly
// one `status` item however it ends (done, failed, interrupted, timed out).
import { MAX_TIMER_MS } from '../long-timeout.ts';
import {
  helpText,
  parseCommandArgs,
  type CommandArgs,
  type CommandContext,
  type CommandSpec,
  type ConsoleCommand,
  type ConsoleDeps,
  type SessionView,
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

export type Registry = ReadonlyMap<string, ConsoleCommand>;

export interface JobOptions {
  id: number;
  command: string;
  line: CommandLine;
  /** The commands: a promise until the first console job has loaded them. */
  registry: Registry | Promise<Registry>;
  deps: ConsoleDeps;
  session: SessionView;
  /** Where the job's items go (the session stream, or exec's own list). */
  sink: (item: ResultItem) => void;
  /** Called once, when the job is TERMINATED, before `done` resolves. */
  onEnd: () => void;
  timeoutMs: number;
  now?: () => number;
}

export function startJob(options: JobOptions): ConsoleJob {
  return new Job(options);
}

// A class, as the session is: every one-time exec runs a job, and a factory's closures, the abort
// controller made up front and a Promise.race per run were most of what a short job allocated.
class Job implements ConsoleJob {
  readonly id: number;
  readonly command: string;
  readonly startedAt: number;
  status: ConsoleJobStatus = 'READY';
  background: boolean;
  endReason: EndReason | undefined = undefined;
  readonly done: Promise<void>;
  readonly #options: JobOptions;
  readonly #stages: Stage[] = [];
  readonly #timer: NodeJS.Timeout;
  #resolveDone!: () => void;
  /** Made when a command first asks for the signal: most never do. */
  #abort: AbortController | undefined = undefined;
  #terminated = false;

  constructor(options: JobOptions) {
    this.#options = options;
    this.id = options.id;
    this.command = options.command;
    this.startedAt = (options.now ?? Date.now)();
    this.background = options.line.background;
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    // Clamped: past MAX_TIMER_MS Node fires the timer at once, which would end the job as it starts.
    this.#timer = setTimeout(() => this.stop('timeout'), Math.min(options.timeoutMs, MAX_TIMER_MS));
    this.#timer.unref();
    // Let the caller see READY and register the job before it runs.
    queueMicrotask(() => {
      const { registry } = options;
      if (registry instanceof Promise) {
        registry.then(
          (r) => this.#run(r),
          (e) => this.#fail(e),
        );
      } else this.#run(registry);
    });
  }

  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.endReason !== undefined) this.#abort.abort(this.endReason);
    }
    return this.#abort.signal;
  }

  stop(reason: EndReason): void {
    if (this.#terminated) return;
    this.endReason = reason;
    this.#abort?.abort(reason);
    // Interrupts end with 0 (Arthas's Ctrl+C); a timeout is a terminate(), -10.
    if (reason === 'timeout') this.#finish(STATUS.TERMINATED, TIMEOUT_MESSAGE);
    else this.#finish(STATUS.OK);
  }

  /** Items pass through the pipe: rendered, filtered line by line, passed on as text. */
  emit<T extends ItemBody>(body: T): void {
    if (this.#stages.length === 0) return this.#send(body);
    const text = renderItem(this.#itemOf(body));
    if (text !== '') this.#pipe(text.split('\n'), 0);
  }

  sleep(ms: number): Promise<boolean> {
    const signal = this.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve(true);
        },
        Math.min(ms, MAX_TIMER_MS),
      );
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #run(registry: Registry): void {
    if (this.#terminated) return; // stopped before it ran
    this.status = 'RUNNING';
    let running: Promise<void>;
    try {
      const prepared = this.#prepare(registry);
      if ('help' in prepared) {
        const { help } = prepared;
        return this.#done(() => this.#send({ type: 'help', text: helpText(help) }));
      }
      // A command that ignores the abort is left behind: the job ends on time regardless.
      running = prepared.spec.run(new JobContext(this, this.#options), prepared.args);
    } catch (err) {
      return this.#fail(err);
    }
    running.then(
      () => this.#done(() => this.#stages.forEach((stage, i) => this.#pipe(stage.end(), i + 1))),
      (err: unknown) => this.#fail(err),
    );
  }

  /** Looks up the command and the pipe stages after it, and parses their arguments. */
  #prepare(
    registry: Registry,
  ): { help: ConsoleCommand } | { spec: CommandSpec; args: CommandArgs } {
    const argvs = this.#options.line.stages;
    const first = argvs[0] as readonly string[];
    const name = first[0] as string;
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
      if (args === undefined) return { help: stage };
      this.#stages.push(stage.create(args));
    }
    const args = parseCommandArgs(spec, first.slice(1));
    return args === undefined ? { help: spec } : { spec, args };
  }

  /** The command ended by itself: flush what it leaves, then end with 0. */
  #done(last: () => void): void {
    if (this.#terminated) return; // stopped meanwhile
    try {
      last();
      this.#finish(STATUS.OK);
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    if (err instanceof CommandFailure) this.#finish(err.statusCode, err.message);
    else {
      const name = this.#options.line.stages[0]?.[0];
      this.#finish(STATUS.EXCEPTION, `${name}: ${(err as Error).message}`);
    }
  }

  #finish(statusCode: number, message?: string): void {
    clearTimeout(this.#timer);
    if (this.#terminated) return;
    this.#send({ type: 'status', statusCode, ...(message === undefined ? {} : { message }) });
    this.#terminated = true;
    this.status = 'TERMINATED';
    this.#options.onEnd();
    this.#resolveDone();
  }

  #pipe(lines: readonly string[], from: number): void {
    const stages = this.#stages;
    let out = lines;
    for (let i = from; i < stages.length && out.length > 0; i++) {
      out = out.flatMap((line) => (stages[i] as Stage).line(line));
    }
    if (out.length > 0) this.#send({ type: 'text', text: out.join('\n') });
  }

  #send<T extends ItemBody>(body: T): void {
    if (!this.#terminated) this.#options.sink(this.#itemOf(body));
  }

  // Items are plain JSON objects; the typed interfaces of items.ts only lack the index signature.
  #itemOf(body: ItemBody): ResultItem {
    return { ...(body as object), type: body.type, jobId: this.id };
  }
}

/** What a command sees of its job. */
class JobContext implements CommandContext {
  readonly jobId: number;
  readonly deps: ConsoleDeps;
  readonly session: SessionView;
  readonly #job: Job;

  constructor(job: Job, options: JobOptions) {
    this.#job = job;
    this.jobId = job.id;
    this.deps = options.deps;
    this.session = options.session;
  }

  get signal(): AbortSignal {
    return this.#job.signal;
  }

  emit<T extends ItemBody>(item: T): void {
    this.#job.emit(item);
  }

  sleep(ms: number): Promise<boolean> {
    return this.#job.sleep(ms);
  }
}

function lookup(registry: Registry, name: string): ConsoleCommand {
  const spec = registry.get(name);
  if (spec === undefined) {
    throw new CommandFailure(`${name}: command not found; type 'help' to list the commands`);
  }
  return spec;
}
