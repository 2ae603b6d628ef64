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
  readonly commands: readonly string[];
  /** Keeps a command line for `history`. */
  recordCommand(command: string): void;
  /** Whether every consumer is falling behind (Arthas's backpressure rule). */
  allUnhealthy(): boolean;
  /** Stops every job and closes every consumer, waking their pulls. */
  close(message?: string): void;
}

export function createSession(options: SessionOptions): Session {
  return new ConsoleSession(options);
}

// A class, unlike the factories elsewhere: every one-time exec makes a session, and methods on a
// prototype cost nothing per session where a factory's closures cost a dozen allocations each.
class ConsoleSession implements Session {
  readonly id = randomUUID();
  readonly createTime: number;
  lastAccessTime: number;
  foreground: ConsoleJob | undefined = undefined;
  readonly jobs = new Map<number, ConsoleJob>();
  readonly commands: string[] = [];
  readonly #options: SessionOptions;
  readonly #consumers = new Map<string, Consumer>();
  readonly #history: ResultItem[] = [];
  #lastInput: ResultItem | undefined = undefined;
  #consumerSeq = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.createTime = options.now();
    this.lastAccessTime = this.createTime;
  }

  touch(): void {
    this.lastAccessTime = this.#options.now();
  }

  emit(item: ResultItem): void {
    // Only the latest input status is worth replaying.
    if (item.type === 'input_status') this.#lastInput = item;
    else {
      this.#history.push(item);
      if (this.#history.length > HISTORY_SIZE) this.#history.shift();
    }
    // The size check spares one-time exec sessions, which have no consumers, an iterator per item.
    if (this.#consumers.size > 0) {
      for (const consumer of this.#consumers.values()) consumer.push(item);
    }
  }

  inputStatus(status: InputStatus): void {
    this.emit({ type: 'input_status', jobId: 0, inputStatus: status });
  }

  addConsumer(): Consumer {
    const options = this.#options;
    this.#consumerSeq += 1;
    const consumer = createConsumer(`${this.id.replaceAll('-', '')}_${this.#consumerSeq}`, {
      capacity: options.consumerCapacity,
      batchSize: options.batchSize,
      batchWindowMs: options.batchWindowMs,
      emptyWaitMs: options.emptyWaitMs,
      now: options.now,
    });
    if (this.#consumerSeq > 1) {
      consumer.push({ type: 'input_status', jobId: 0, inputStatus: 'DISABLED' });
      for (const item of this.#history) consumer.push(item);
      if (this.#lastInput) consumer.push(this.#lastInput);
    }
    this.#consumers.set(consumer.id, consumer);
    return consumer;
  }

  consumer(consumerId: string): Consumer | undefined {
    return this.#consumers.get(consumerId);
  }

  removeConsumer(consumerId: string, message?: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    if (message) consumer.push({ type: 'message', jobId: 0, message });
    this.#consumers.delete(consumerId);
    consumer.close();
  }

  consumers(): Consumer[] {
    return [...this.#consumers.values()];
  }

  recordCommand(command: string): void {
    this.commands.push(command);
    if (this.commands.length > COMMAND_HISTORY_SIZE) this.commands.shift();
  }

  allUnhealthy(): boolean {
    if (this.#consumers.size === 0) return false;
    for (const consumer of this.#consumers.values()) if (consumer.healthy) return false;
    return true;
  }

  close(message?: string): void {
    if (message) this.emit({ type: 'message', jobId: 0, message });
    if (this.jobs.size > 0) {
      for (const job of this.jobs.values()) job.stop('close');
      this.jobs.clear();
    }
    this.foreground = undefined;
    if (this.#consumers.size > 0) {
      for (const consumer of this.#consumers.values()) consumer.close();
      this.#consumers.clear();
    }
  }
}
