// One reader of a console session's result stream: its own bounded queue and the pull_results
// long-poll (specs/arthas.md §1.7), with bosun's fix for silent loss: a consumer that fell behind is
// told how many items it lost.
import type { ResultItem } from './model.ts';

export interface PullOptions {
  /** Most items per pull. */
  readonly batchSize: number;
  /** After the first item, how long to wait for more, ms. */
  readonly batchWindowMs: number;
  /** With nothing to return, how long to wait, ms. */
  readonly emptyWaitMs: number;
}

export interface ConsumerOptions extends PullOptions {
  /** Items kept; the oldest are dropped beyond it. */
  readonly capacity: number;
  readonly now?: () => number;
}

export interface Consumer {
  readonly id: string;
  /** ms since the epoch of the last pull, or of creation. */
  readonly lastAccessTime: number;
  /** Arthas's rule: polling, or room left, or seen within the last second. */
  readonly healthy: boolean;
  readonly closed: boolean;
  push(item: ResultItem): void;
  /** The long-poll. A second pull while one is in flight gets [] once the first ends or after 500 ms. */
  pull(): Promise<ResultItem[]>;
  /** Ends waiting pulls at once with what is queued; later pushes are ignored. */
  close(): void;
}

/** How long a second pull waits for the one in flight (Arthas's lock wait). */
const LOCK_WAIT_MS = 500;
/** A batch also ends when its items carry this many entries in their lists (Arthas's item count). */
const WEIGHT_LIMIT = 100;
const SEEN_RECENTLY_MS = 1000;

export function createConsumer(id: string, options: ConsumerOptions): Consumer {
  const now = options.now ?? Date.now;
  // A ring would save the shift()'s copy, but at ≤ 1,000 small references it costs microseconds.
  const queue: ResultItem[] = [];
  let dropped = 0;
  let closed = false;
  let lastAccessTime = now();
  let inFlight: Promise<unknown> | undefined;
  let wake: (() => void) | undefined;

  const waitForItems = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        if (wake === done) wake = undefined;
        resolve();
      }
      wake = done;
    });

  const collect = async (): Promise<ResultItem[]> => {
    const out: ResultItem[] = [];
    const started = now();
    let firstAt: number | undefined;
    let weight = 0;
    for (;;) {
      if (dropped > 0) {
        out.push(droppedNotice(dropped, options.capacity));
        dropped = 0;
      }
      while (queue.length > 0 && out.length < options.batchSize && weight < WEIGHT_LIMIT) {
        const item = queue.shift() as ResultItem;
        out.push(item);
        weight += weightOf(item);
      }
      if (closed || out.length >= options.batchSize || weight >= WEIGHT_LIMIT) return out;
      const t = now();
      if (out.length > 0) {
        firstAt ??= t;
        const left = firstAt + options.batchWindowMs - t;
        if (left <= 0) return out;
        await waitForItems(left);
      } else {
        const left = started + options.emptyWaitMs - t;
        if (left <= 0) return out;
        await waitForItems(left);
      }
    }
  };

  return {
    id,
    get lastAccessTime() {
      return lastAccessTime;
    },
    get healthy() {
      return (
        inFlight !== undefined ||
        queue.length < options.capacity ||
        now() - lastAccessTime < SEEN_RECENTLY_MS
      );
    },
    get closed() {
      return closed;
    },

    push(item) {
      if (closed) return;
      if (queue.length >= options.capacity) {
        queue.shift();
        dropped += 1;
      }
      queue.push(item);
      wake?.();
    },

    async pull() {
      lastAccessTime = now();
      if (inFlight) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          inFlight,
          new Promise((resolve) => (timer = setTimeout(resolve, LOCK_WAIT_MS))),
        ]);
        clearTimeout(timer);
        return [];
      }
      const pulling = collect();
      inFlight = pulling;
      try {
        return await pulling;
      } finally {
        inFlight = undefined;
        lastAccessTime = now();
      }
    },

    close() {
      // What is queued stays for a pull in flight (a shutdown notice, say); nothing more comes.
      closed = true;
      wake?.();
    },
  };
}

function droppedNotice(count: number, capacity: number): ResultItem {
  return {
    type: 'message',
    jobId: 0,
    message:
      `${count} result item${count === 1 ? ' was' : 's were'} dropped: this consumer fell behind ` +
      `(it keeps the latest ${capacity}); pull more often or raise --console-buffer`,
    dropped: count,
  };
}

/** 1 per item plus the entries of its lists, as Arthas counts collections in a batch. */
function weightOf(item: ResultItem): number {
  let weight = 1;
  for (const value of Object.values(item)) if (Array.isArray(value)) weight += value.length;
  return weight;
}
