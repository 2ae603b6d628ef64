// Identifiers are decimal strings of 53-bit integers, time-ordered: exact in JavaScript, sortable as
// numbers, and accepted as numbers or strings by the SeaTunnel surface.
//
// Layout: 41 bits of milliseconds since 2024-01-01 (good until ~2093) then 12 bits of sequence.
// Two ids from one process are always increasing; different nodes add a random sequence start so a
// collision across nodes needs the same millisecond and the same 12-bit draw.
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from './clock.ts';

const EPOCH_MS = Date.UTC(2024, 0, 1);
const SEQ_BITS = 12;
const SEQ_SPAN = 2 ** SEQ_BITS;

export function createIdGenerator(clock: Clock = systemClock): () => string {
  let lastMs = -1;
  let seq = 0;
  return () => {
    let ms = Math.max(clock.now() - EPOCH_MS, 0);
    if (ms <= lastMs) {
      seq += 1;
      if (seq >= SEQ_SPAN) {
        // Sequence exhausted within one millisecond: borrow the next millisecond.
        lastMs += 1;
        seq = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      seq = randomInt(0, SEQ_SPAN / 2);
    }
    return String(ms * SEQ_SPAN + seq);
  };
}

export const newId = createIdGenerator();

/** The creation time encoded in an id, in ms since the epoch. */
export function idTime(id: string): number {
  return Math.floor(Number(id) / SEQ_SPAN) + EPOCH_MS;
}

export function isId(value: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(value) && Number.isSafeInteger(Number(value));
}
