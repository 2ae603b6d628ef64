// A console session: its consumers, the shared history a joining consumer replays, its jobs (one in
// the foreground at most) and the command lines typed in it (specs/arthas.md §1.8).
import { randomUUID } from 'node:crypto';
import type { ConsoleJob } from './console-job.ts';
import { createConsumer, type Consumer, type PullOptions } from './consumer.ts';
import type { InputStatus, ResultItem } from './model.ts';

/** Items a joining consumer replays (Arthas's history queue). */
const HISTORY_SIZE = 50;
/** Command lines kept for `history`. */
const COMMAND_HISTORY_SIZE = 500;

export interface SessionOptions extends PullOptions {
  readonly consumerCapacity: number;
  readonly now: () => number;
}

export interface Session {
  readonly id: string;
  readonly createTime: number;
  readonly lastAccessTime: number;
  /** Marks the session used now (every action naming it does). */
  touch(): void;
  /** Sends an item to every consumer and into the history. */
  emit(item: ResultItem): void;
  inputStatus(status: InputStatus): void;
  /** A new consumer; all but the first start with DISABLED, the history and the current input status. */
  addConsumer(): Consumer;
  consumer(id: string): Consumer | undefined;
  removeConsumer(id: string, message?: string): void;
  consumers(): Consumer[];
  foreground: ConsoleJob | undefined;
  /** Unfinished jobs by id, the foreground one included. */
  readonly jobs: Map<number, ConsoleJob>;
  readonly commands: string[];
  /** Whether every consumer is falling behind (Arthas's backpressure rule). */
  allUnhealthy(): boolean;
  /** Stops every job and closes every consumer, waking their pulls. */
  close(message?: string): void;
}

export function createSession(options: SessionOptions): Session {
  const { now } = options;
  const id = randomUUID();
  const consumerPrefix = id.replaceAll('-', '');
  const consumers = new Map<string, Consumer>();
  const history: ResultItem[] = [];
  let lastInput: ResultItem | undefined;
  let consumerSeq = 0;
  const createTime = now();

  // Plain fields, no accessors: V8 builds an object literal with a getter through a slow runtime
  // path (~15× a plain one), and one-time execs make a session per request.
  const session: Session & { lastAccessTime: number } = {
    id,
    createTime,
    lastAccessTime: createTime,
    touch() {
      session.lastAccessTime = now();
    },

    emit(item) {
      // Only the latest input status is worth replaying.
      if (item.type === 'input_status') lastInput = item;
      else {
        history.push(item);
        if (history.length > HISTORY_SIZE) history.shift();
      }
      for (const consumer of consumers.values()) consumer.push(item);
    },

    inputStatus(status) {
      session.emit({ type: 'input_status', jobId: 0, inputStatus: status });
    },

    addConsumer() {
      consumerSeq += 1;
      const consumer = createConsumer(`${consumerPrefix}_${consumerSeq}`, {
        capacity: options.consumerCapacity,
        batchSize: options.batchSize,
        batchWindowMs: options.batchWindowMs,
        emptyWaitMs: options.emptyWaitMs,
        now,
      });
      if (consumerSeq > 1) {
        consumer.push({ type: 'input_status', jobId: 0, inputStatus: 'DISABLED' });
        for (const item of history) consumer.push(item);
        if (lastInput) consumer.push(lastInput);
      }
      consumers.set(consumer.id, consumer);
      return consumer;
    },

    consumer: (consumerId) => consumers.get(consumerId),

    removeConsumer(consumerId, message) {
      const consumer = consumers.get(consumerId);
      if (!consumer) return;
      if (message) consumer.push({ type: 'message', jobId: 0, message });
      consumers.delete(consumerId);
      consumer.close();
    },

    consumers: () => [...consumers.values()],

    foreground: undefined,
    jobs: new Map(),
    commands: [],

    allUnhealthy() {
      if (consumers.size === 0) return false;
      for (const consumer of consumers.values()) if (consumer.healthy) return false;
      return true;
    },

    close(message) {
      if (message) session.emit({ type: 'message', jobId: 0, message });
      for (const job of session.jobs.values()) job.stop('close');
      session.jobs.clear();
      session.foreground = undefined;
      for (const consumer of consumers.values()) consumer.close();
      consumers.clear();
    },
  };
  return session;
}

export function recordCommand(session: Session, command: string): void {
  session.commands.push(command);
  if (session.commands.length > COMMAND_HISTORY_SIZE) session.commands.shift();
}
