// Turns a run's output into numbered chunks for the store, capped per run: the head is stored as it
// comes, a tail is kept in a bounded ring, and the middle of an over-long log is cut and marked.
//
// Bytes past `headBytes` are held (at most capBytes − headBytes of them) until end(), because only then is
// it known whether they are the tail or the middle: the stored log never exceeds the cap (plus the
// marker). Live followers should be fed from the process output directly, not from these chunks.

export interface LogChunk {
  /** 0 for the first chunk, then +1 per chunk. */
  seq: number;
  data: Buffer;
}

export interface LogCaptureOptions {
  /** Most bytes stored for one run (the cut marker aside). */
  capBytes: number;
  /** Bytes kept from the start; the rest of the cap (capBytes − headBytes) goes to the tail. */
  headBytes: number;
  /** Largest chunk emitted. */
  chunkBytes: number;
  /** Longest time a head byte waits before it is emitted. */
  flushMs: number;
  onChunk: (chunk: LogChunk) => void;
}

export interface LogCapture {
  /** Adds output; ignored after end(). */
  write(data: Buffer): void;
  /** Emits everything still held and says how much was written and whether the middle was cut. */
  end(): { bytes: number; truncated: boolean };
  /** Bytes written so far. */
  readonly bytes: number;
  /** Bytes held in memory right now (pending head and tail ring); at most about capBytes. */
  readonly heldBytes: number;
}

/** How far the tail start may move forward to begin at a line. */
const LINE_SEARCH_BYTES = 4096;

export function createLogCapture(opts: LogCaptureOptions): LogCapture {
  const { capBytes, chunkBytes, flushMs, onChunk } = opts;
  if (!(capBytes > 0 && chunkBytes > 0 && opts.headBytes >= 0 && opts.headBytes <= capBytes)) {
    throw new RangeError(
      'log capture needs capBytes > 0, chunkBytes > 0 and 0 ≤ headBytes ≤ capBytes',
    );
  }
  // The tail gets whatever the head leaves of the cap (a few bytes more when the head ends early).
  let tailBytes = capBytes - opts.headBytes;

  let seq = 0;
  let total = 0;
  let ended = false;
  /** Bytes routed to the head so far (may stop a few bytes short of headBytes at a UTF-8 boundary). */
  let headTaken = 0;
  let headFull = false;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const ring: Buffer[] = [];
  let ringBytes = 0;

  const emit = (data: Buffer): void => {
    for (let at = 0; at < data.length; at += chunkBytes) {
      onChunk({ seq: seq++, data: data.subarray(at, at + chunkBytes) });
    }
  };

  const flush = (): void => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pendingBytes === 0) return;
    const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    emit(data);
  };

  const toHead = (data: Buffer): void => {
    if (data.length === 0) return;
    // Copy: the caller may reuse its buffer, and we hold this one until the flush.
    pending.push(Buffer.from(data));
    pendingBytes += data.length;
    headTaken += data.length;
    if (pendingBytes >= chunkBytes) {
      // Emit whole chunks now; a remainder waits for more bytes or the timer.
      const all = Buffer.concat(pending, pendingBytes);
      const whole = all.length - (all.length % chunkBytes);
      emit(all.subarray(0, whole));
      pending = whole < all.length ? [all.subarray(whole)] : [];
      pendingBytes = all.length - whole;
    }
    if (pendingBytes > 0 && !timer) {
      timer = setTimeout(flush, flushMs);
      timer.unref();
    }
    if (pendingBytes === 0 && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  };

  const toRing = (data: Buffer): void => {
    if (tailBytes === 0 || data.length === 0) return;
    // Copy only what can survive, so a huge write does not stay referenced through a slice.
    const keep = data.length > tailBytes ? data.subarray(data.length - tailBytes) : data;
    ring.push(Buffer.from(keep));
    ringBytes += keep.length;
    while (ringBytes > tailBytes) {
      const first = ring[0]!;
      const excess = ringBytes - tailBytes;
      if (first.length <= excess) {
        ring.shift();
        ringBytes -= first.length;
      } else {
        ring[0] = first.subarray(excess);
        ringBytes -= excess;
      }
    }
  };

  const write = (data: Buffer): void => {
    if (ended || data.length === 0) return;
    total += data.length;
    if (!headFull) {
      const room = opts.headBytes - headTaken;
      if (data.length < room) {
        toHead(data);
        return;
      }
      // End the head on a character boundary so the marker does not follow half a character.
      const cut = room - utf8Backoff(data, room);
      toHead(data.subarray(0, cut));
      headFull = true;
      tailBytes = capBytes - headTaken;
      data = data.subarray(cut);
    }
    toRing(data);
  };

  const end = (): { bytes: number; truncated: boolean } => {
    if (ended) return { bytes: total, truncated: total > capBytes };
    ended = true;
    flush();
    const truncated = total > capBytes;
    let tail = ring.length === 1 ? ring[0]! : Buffer.concat(ring, ringBytes);
    ring.length = 0;
    ringBytes = 0;
    if (truncated) {
      tail = tail.subarray(tailStart(tail));
      const cut = total - headTaken - tail.length;
      emit(
        Buffer.from(
          `\n[bosun: ${cut.toLocaleString('en-US')} bytes cut from the middle of this log]\n`,
        ),
      );
    }
    emit(tail);
    return { bytes: total, truncated };
  };

  return {
    write,
    end,
    get bytes() {
      return total;
    },
    get heldBytes() {
      return pendingBytes + ringBytes;
    },
  };
}

/** Where a cut tail should start: just after a newline near its start, else at a character start. */
function tailStart(tail: Buffer): number {
  const nl = tail.subarray(0, LINE_SEARCH_BYTES).indexOf(0x0a);
  if (nl >= 0) return nl + 1;
  let at = 0;
  // Skip UTF-8 continuation bytes (10xxxxxx); a character has at most 3 of them.
  while (at < 3 && at < tail.length && (tail[at]! & 0xc0) === 0x80) at++;
  return at;
}

/** How many bytes before `at` belong to a UTF-8 character that `at` would split (0 if none). */
function utf8Backoff(data: Buffer, at: number): number {
  if (at >= data.length || (data[at]! & 0xc0) !== 0x80) return 0;
  for (let back = 1; back <= 3 && at - back >= 0; back++) {
    const byte = data[at - back]!;
    if ((byte & 0xc0) !== 0x80) return (byte & 0xc0) === 0xc0 ? back : 0;
  }
  return 0;
}
