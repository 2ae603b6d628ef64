// `read_limit.rows_per_second` and `read_limit.bytes_per_second` (SeaTunnel's env): each reader's rows
// pass a gate that spreads them over time. One gate per reader, as SeaTunnel's FlowControlGate is one
// per reader thread (its docs: the limit is "the maximum rate at which each thread is restricted").
// A batch goes through in slices of about a tenth of a second's worth, so rows flow evenly rather
// than in bursts a whole batch apart.
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_TIMER_MS } from '../../long-timeout.ts';
import type { Row } from '../connectors/connector.ts';

export interface ReadLimits {
  readonly rowsPerSecond: number | undefined;
  readonly bytesPerSecond: number | undefined;
}

export interface ReadLimit {
  /** The batch cut into the slices that pass the gate one after another. */
  slices(rows: Row[]): Row[][];
  /** Waits until a slice of `rows` rows and `bytes` bytes may go on; resolves at once on abort. */
  pass(rows: number, bytes: number, signal: AbortSignal): Promise<void>;
}

/** A slice is about this many seconds of the allowed rate. */
const SLICE_SECONDS = 0.1;

/** The gate of one reader, or undefined when the job sets no limit. */
export function createReadLimit(
  limits: ReadLimits,
  bytesOf: (row: Row) => number,
): ReadLimit | undefined {
  const { rowsPerSecond, bytesPerSecond } = limits;
  if (rowsPerSecond === undefined && bytesPerSecond === undefined) return undefined;
  const rowGate = rowsPerSecond === undefined ? undefined : createGate(rowsPerSecond);
  const byteGate = bytesPerSecond === undefined ? undefined : createGate(bytesPerSecond);
  const sliceRows =
    rowsPerSecond === undefined ? Infinity : Math.max(1, Math.floor(rowsPerSecond * SLICE_SECONDS));
  const sliceBytes = bytesPerSecond === undefined ? Infinity : bytesPerSecond * SLICE_SECONDS;

  return {
    slices(rows) {
      if (rows.length <= sliceRows && bytesPerSecond === undefined) return [rows];
      const out: Row[][] = [];
      let start = 0;
      let bytes = 0;
      for (let i = 0; i < rows.length; i++) {
        const size = bytesPerSecond === undefined ? 0 : bytesOf(rows[i] as Row);
        if (i > start && (i - start >= sliceRows || bytes + size > sliceBytes)) {
          out.push(rows.slice(start, i));
          start = i;
          bytes = 0;
        }
        bytes += size;
      }
      out.push(rows.slice(start));
      return out;
    },
    async pass(rows, bytes, signal) {
      const waitMs = Math.max(rowGate?.(rows) ?? 0, byteGate?.(bytes) ?? 0);
      await pause(waitMs, signal);
    },
  };
}

/**
 * A smooth rate limiter (Guava's RateLimiter, which SeaTunnel uses, without its stored burst): each
 * take is let through once the ones before it have had their time, and books its own time after.
 * Returns how long to wait, in ms.
 */
function createGate(perSecond: number): (amount: number) => number {
  let nextFree = 0;
  return (amount) => {
    const now = performance.now();
    const wait = Math.max(0, nextFree - now);
    nextFree = Math.max(nextFree, now) + (amount / perSecond) * 1000;
    return wait;
  };
}

/** Sleeps `ms`, in steps Node's timers can hold (one huge row at a low byte rate can ask for weeks). */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  const until = performance.now() + ms;
  for (let left = ms; left > 0 && !signal.aborted; left = until - performance.now()) {
    await sleep(Math.min(left, MAX_TIMER_MS), undefined, { signal }).catch(() => {});
  }
}
