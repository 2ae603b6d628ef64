// Fixed-size rings kept in memory: an hour of history points, and the last 200 CPU percents that
// vminfo's snapshot carries in cpu.history.
import type { HistoryPoint } from './snapshot.ts';

export const CPU_HISTORY_LENGTH = 200;
const HISTORY_SPAN_MS = 3_600_000;

export interface Ring<T> {
  push(value: T): void;
  /** Oldest first. */
  toArray(): T[];
  readonly size: number;
}

export function createRing<T>(capacity: number): Ring<T> {
  if (!(capacity >= 1)) throw new Error(`ring capacity must be at least 1, got ${capacity}`);
  const items: T[] = [];
  let head = 0; // the oldest item once full
  return {
    push(value) {
      if (items.length < capacity) {
        items.push(value);
        return;
      }
      items[head] = value;
      head = (head + 1) % capacity;
    },
    toArray() {
      return head === 0 ? items.slice() : items.slice(head).concat(items.slice(0, head));
    },
    get size() {
      return items.length;
    },
  };
}

export interface History {
  push(atMs: number, point: HistoryPoint): void;
  /** Points taken after sinceMs (all when absent), oldest first. */
  since(sinceMs?: number): HistoryPoint[];
}

/** An hour of points at the given interval. */
export function createHistory(intervalMs: number): History {
  const ring = createRing<{ atMs: number; point: HistoryPoint }>(
    Math.ceil(HISTORY_SPAN_MS / Math.max(1, intervalMs)),
  );
  return {
    push: (atMs, point) => ring.push({ atMs, point }),
    since(sinceMs) {
      const out: HistoryPoint[] = [];
      for (const e of ring.toArray()) {
        if (sinceMs === undefined || e.atMs > sinceMs) out.push(e.point);
      }
      return out;
    },
  };
}
