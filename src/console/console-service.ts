// The console core behind POST /api, the native sessions route, the CLI and the dashboard terminal:
// sessions and consumers, console jobs with one agent-wide id counter, exec with a timeout, expiry and
// shutdown (specs/arthas.md §1 and §7). Surfaces only translate to and from it.
import { AgentError } from '../errors.ts';
import { localDateTime } from '../units/display.ts';
import type { ConsoleDeps, SessionView } from './command.ts';
import { parseCommandLine } from './command-line.ts';
import { startJob, type ConsoleJob, type Registry } from './console-job.ts';
import type { ConsoleJobStatus, ResultItem } from './model.ts';
import { createSession, type Session } from './session.ts';

export interface ConsoleSettings {
  readonly consumerCapacity: number;
  readonly batchSize: number;
  readonly batchWindowMs: number;
  readonly emptyWaitMs: number;
  readonly consumerTtlMs: number;
  readonly sessionTtlMs: number;
  readonly execTimeoutMs: number;
  readonly jobTimeoutMs: number;
}

export interface ExecResult {
  readonly state: 'SUCCEEDED' | 'INTERRUPTED';
  readonly sessionId: string;
  readonly jobId: number;
  readonly jobStatus: ConsoleJobStatus;
  readonly command: string;
  readonly results: ResultItem[];
  readonly timeExpired: boolean;
  /** Set when the time ran out. */
  readonly timeout?: number;
}

export interface SessionSummary {
  readonly sessionId: string;
  readonly createTime: number;
  readonly lastAccessTime: number;
  readonly consumers: ReadonlyArray<{ consumerId: string; lastAccessTime: number }>;
  readonly foregroundJob: { jobId: number; command: string; startedAt: number } | null;
  readonly jobs: number;
}

export interface Console {
  initSession(): { sessionId: string; consumerId: string };
  joinSession(sessionId: string): { sessionId: string; consumerId: string };
  closeSession(sessionId: string): void;
  sessionInfo(sessionId: string): { createTime: number; lastAccessTime: number; pid: number };
  /** Runs a command to the end (or its timeout); a one-time session when sessionId is absent. */
  exec(command: string, opts?: { sessionId?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** Starts a command whose results go to the session's consumers. */
  asyncExec(sessionId: string, command: string): { jobId: number; jobStatus: ConsoleJobStatus };
  /** Interrupts a job of the session: the given one, or the foreground one. */
  interrupt(sessionId: string, jobId?: number): { jobId: number; jobStatus: ConsoleJobStatus };
  pull(sessionId: string, consumerId: string): Promise<ResultItem[]>;
  /**
   * The command a line starts with when no such command exists (Arthas refuses those before it makes
   * a job); undefined when it exists, when the line does not parse (its job reports why), or when the
   * session's foreground job is busy (Arthas refuses that first).
   */
  unknownCommand(command: string, sessionId?: string): Promise<string | undefined>;
  /** Tells the session's consumers a command could not start: a `command` item, state FAILED. */
  commandFailed(sessionId: string, command: string, message: string): void;
  sessions(): SessionSummary[];
  /** Tells every session the agent is stopping, then closes them. */
  close(): Promise<void>;
}

/** Items one exec keeps (Arthas's packing queue); more are counted and reported. */
const EXEC_RESULT_LIMIT = 500;
/** Shell builtins that may run while a foreground job holds the session. */
const BUILTINS = new Set(['jobs', 'kill', 'bg', 'fg']);
const REAP_EVERY_MS = 60_000;

export function createConsole(options: {
  deps: ConsoleDeps;
  settings: ConsoleSettings;
  /** Loads the commands; called once, on the first job, so an agent nobody diagnoses never loads them. */
  registry: () => Promise<Registry>;
  now?: () => number;
}): Console {
  const { deps, settings } = options;
  let registry: Registry | Promise<Registry> | undefined;
  // The promise until the commands are loaded, then the map itself: jobs after the first start at once.
  const commands = () => (registry ??= options.registry().then((loaded) => (registry = loaded)));
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();
  let jobSeq = 0;
  let closing = false;

  const getSession = (sessionId: string): Session => {
    const session = sessions.get(sessionId);
    if (!session) throw new AgentError('NOT_FOUND', `session not found: ${sessionId}`);
    session.touch();
    return session;
  };

  const sessionOptions = {
    consumerCapacity: settings.consumerCapacity,
    batchSize: settings.batchSize,
    batchWindowMs: settings.batchWindowMs,
    emptyWaitMs: settings.emptyWaitMs,
    now,
  };
  const newSession = (): Session => {
    const session = createSession(sessionOptions);
    sessions.set(session.id, session);
    return session;
  };

  const removeSession = (session: Session, message?: string) => {
    sessions.delete(session.id);
    session.close(message);
  };

  /** Creates and starts a job in the session; its items go to `sink`. */
  const launch = (
    session: Session,
    command: string,
    sink: (item: ResultItem) => void,
    opts: { async: boolean; timeoutMs: number },
  ): ConsoleJob => {
    const line = parseCommandLine(command);
    const builtin = BUILTINS.has(line.stages[0]?.[0] ?? '') && line.stages.length === 1;
    if (session.foreground && !builtin) {
      throw new AgentError('CONFLICT', 'Another job is running.');
    }
    jobSeq += 1;
    const id = jobSeq;
    session.recordCommand(command);
    let unhealthyStop = false;
    const job: ConsoleJob = startJob({
      id,
      command,
      line,
      registry: commands(),
      deps,
      session: new JobSessionView(session, id),
      timeoutMs: opts.timeoutMs,
      now,
      sink: !opts.async
        ? sink
        : (item) => {
            sink(item);
            // Arthas's backpressure: nobody is keeping up with a streaming job, so stop it once.
            if (!unhealthyStop && session.foreground === job && session.allUnhealthy()) {
              unhealthyStop = true;
              session.emit({
                type: 'message',
                jobId: 0,
                message: 'all consumers are unhealthy, current job was interrupted.',
              });
              job.stop('unhealthy');
            }
          },
      onEnd: () => {
        session.jobs.delete(id);
        if (session.foreground === job) {
          session.foreground = undefined;
          session.inputStatus('ALLOW_INPUT');
        }
      },
    });
    session.jobs.set(id, job);
    if (!line.background && !builtin) {
      session.foreground = job;
      if (opts.async) session.emit({ type: 'command', jobId: id, state: 'SCHEDULED', command });
      session.inputStatus('ALLOW_INTERRUPT');
    }
    return job;
  };

  const reaper = setInterval(
    () => {
      const t = now();
      for (const session of sessions.values()) {
        for (const consumer of session.consumers()) {
          if (t - consumer.lastAccessTime > settings.consumerTtlMs) {
            session.removeConsumer(
              consumer.id,
              'consumer is inactive for a while, please refresh the page.',
            );
          }
        }
        if (session.jobs.size === 0 && t - session.lastAccessTime > settings.sessionTtlMs) {
          const minutes = Math.round(settings.sessionTtlMs / 60_000);
          removeSession(session, `session is inactive for ${minutes} min(s).`);
        }
      }
    },
    Math.min(REAP_EVERY_MS, Math.max(1000, settings.consumerTtlMs / 2)),
  );
  reaper.unref();

  const refuseWhenClosing = () => {
    if (closing) throw new AgentError('NOT_READY', 'the agent is shutting down');
  };

  return {
    initSession() {
      refuseWhenClosing();
      const session = newSession();
      const consumer = session.addConsumer();
      session.emit({ type: 'message', jobId: 0, message: 'Welcome to bosun!' });
      session.emit({
        type: 'welcome',
        jobId: 0,
        pid: String(process.pid),
        time: localDateTime(now()),
        version: deps.version,
        wiki: 'docs/console.md',
        tutorials: "type 'help' for the commands",
        mainClass: 'bosun',
      });
      session.inputStatus('ALLOW_INPUT');
      return { sessionId: session.id, consumerId: consumer.id };
    },

    joinSession(sessionId) {
      const session = getSession(sessionId);
      return { sessionId, consumerId: session.addConsumer().id };
    },

    closeSession(sessionId) {
      removeSession(getSession(sessionId));
    },

    sessionInfo(sessionId) {
      const session = getSession(sessionId);
      return {
        createTime: session.createTime,
        lastAccessTime: session.lastAccessTime,
        pid: process.pid,
      };
    },

    async exec(command, opts) {
      refuseWhenClosing();
      const sessionId = opts?.sessionId;
      const oneTime = sessionId === undefined;
      const session = oneTime ? newSession() : getSession(sessionId);
      try {
        const results: ResultItem[] = [];
        let dropped = 0;
        const timeout = opts?.timeoutMs ?? settings.execTimeoutMs;
        // The exec's time limit is the job's own (one timer): it ends the job as a job timeout does.
        const job = launch(
          session,
          command,
          (item) => {
            if (results.length < EXEC_RESULT_LIMIT) results.push(item);
            else dropped += 1;
          },
          { async: false, timeoutMs: Math.min(timeout, settings.jobTimeoutMs) },
        );
        await job.done;
        const expired = job.endReason === 'timeout' && timeout <= settings.jobTimeoutMs;
        if (dropped > 0) {
          results.splice(results.length - 1, 0, {
            type: 'message',
            jobId: job.id,
            message: `${dropped} more result items were dropped (exec keeps ${EXEC_RESULT_LIMIT}); use async_exec and pull_results for long output`,
          });
        }
        return {
          state: expired ? 'INTERRUPTED' : 'SUCCEEDED',
          sessionId: session.id,
          jobId: job.id,
          jobStatus: job.status,
          command,
          results,
          timeExpired: expired,
          timeout: expired ? timeout : undefined,
        };
      } finally {
        if (oneTime) removeSession(session);
      }
    },

    asyncExec(sessionId, command) {
      refuseWhenClosing();
      const session = getSession(sessionId);
      const job = launch(session, command, (item) => session.emit(item), {
        async: true,
        timeoutMs: settings.jobTimeoutMs,
      });
      return { jobId: job.id, jobStatus: job.status };
    },

    interrupt(sessionId, jobId) {
      const session = getSession(sessionId);
      const job = jobId === undefined ? session.foreground : session.jobs.get(jobId);
      if (!job) {
        throw new AgentError(
          'NOT_FOUND',
          jobId === undefined
            ? 'no foreground job is running'
            : `no running job ${jobId} in this session`,
        );
      }
      job.stop('interrupt');
      return { jobId: job.id, jobStatus: job.status };
    },

    pull(sessionId, consumerId) {
      const session = getSession(sessionId);
      const consumer = session.consumer(consumerId);
      if (!consumer) throw new AgentError('NOT_FOUND', `consumer not found: ${consumerId}`);
      return consumer.pull();
    },

    async unknownCommand(command, sessionId) {
      let name: string | undefined;
      try {
        name = parseCommandLine(command).stages[0]?.[0];
      } catch {
        return undefined;
      }
      if (name === undefined) return undefined;
      const session = sessionId === undefined ? undefined : sessions.get(sessionId);
      if (session?.foreground !== undefined) return undefined;
      return (await commands()).has(name) ? undefined : name;
    },

    commandFailed(sessionId, command, message) {
      getSession(sessionId).emit({ type: 'command', jobId: 0, state: 'FAILED', command, message });
    },

    sessions: () =>
      [...sessions.values()].map((session) => ({
        sessionId: session.id,
        createTime: session.createTime,
        lastAccessTime: session.lastAccessTime,
        consumers: session
          .consumers()
          .map((c) => ({ consumerId: c.id, lastAccessTime: c.lastAccessTime })),
        foregroundJob: session.foreground
          ? {
              jobId: session.foreground.id,
              command: session.foreground.command,
              startedAt: session.foreground.startedAt,
            }
          : null,
        jobs: session.jobs.size,
      })),

    async close() {
      closing = true;
      clearInterval(reaper);
      const jobs = [...sessions.values()].flatMap((s) => [...s.jobs.values()]);
      for (const session of [...sessions.values()]) {
        removeSession(session, 'bosun agent is going to shut down.');
      }
      await Promise.all(jobs.map((job) => job.done));
    },
  };
}

/**
 * The session as the command of job `self` sees it. A class for the reason Session is one: every
 * one-time exec makes a job, and most commands never look at their session.
 */
class JobSessionView implements SessionView {
  readonly #session: Session;
  readonly #self: number;

  constructor(session: Session, self: number) {
    this.#session = session;
    this.#self = self;
  }

  get id(): string {
    return this.#session.id;
  }

  get createTime(): number {
    return this.#session.createTime;
  }

  get lastAccessTime(): number {
    return this.#session.lastAccessTime;
  }

  consumers() {
    return this.#session.consumers().map((c) => ({ id: c.id, lastAccessTime: c.lastAccessTime }));
  }

  history() {
    return [...this.#session.commands];
  }

  jobs() {
    return [...this.#session.jobs.values()]
      .filter((job) => job.id !== this.#self)
      .map((job) => ({
        id: job.id,
        command: job.command,
        status: job.status,
        background: job.background,
        startedAt: job.startedAt,
      }));
  }

  kill(jobId: number): boolean {
    const job = this.#other(jobId);
    job?.stop('interrupt');
    return job !== undefined;
  }

  foreground(jobId: number): string | undefined {
    const session = this.#session;
    const job = this.#other(jobId);
    if (!job) return `no job ${jobId}; list jobs with 'jobs'`;
    if (!job.background) return `job ${jobId} is already in the foreground`;
    if (session.foreground && session.foreground.id !== this.#self) {
      return `job ${session.foreground.id} is in the foreground; interrupt it or move it with 'bg' first`;
    }
    job.background = false;
    session.foreground = job;
    session.inputStatus('ALLOW_INTERRUPT');
    return undefined;
  }

  background(jobId: number): string | undefined {
    const session = this.#session;
    const job = this.#other(jobId);
    if (!job) return `no job ${jobId}; list jobs with 'jobs'`;
    if (job.background) return `job ${jobId} is already in the background`;
    job.background = true;
    if (session.foreground === job) session.foreground = undefined;
    session.inputStatus('ALLOW_INPUT');
    return undefined;
  }

  /** Another unfinished job of the session: a command cannot act on its own job. */
  #other(jobId: number): ConsoleJob | undefined {
    return jobId === this.#self ? undefined : this.#session.jobs.get(jobId);
  }
}
