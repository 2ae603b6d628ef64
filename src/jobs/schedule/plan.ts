// The misfire planner: given a schedule's cursor and the time now, which fires become runs, which
// become skipped rows, and where the cursor goes next (specs/scheduling.md §5.2). Pure, so the
// materialisation loop stays a thin transaction around it. Output stays bounded however long the
// agent was down: skipped fires beyond the catch-up limit collapse into one summary row.

import type { MisfirePolicy } from '../../model/jobs.ts';
import type { ScheduleSpec } from '../../model/schedules.ts';
import { formatSpanCompact } from '../../units/display.ts';
import { nextFire, type FireContext } from './next-fire.ts';

export interface PlanInput {
  spec: ScheduleSpec;
  /** The schedule's next_fire_at: the first fire not yet planned. */
  cursor: number;
  now: number;
  misfire: MisfirePolicy;
  /** A fire more than this far behind `now` is a misfire. */
  graceMs: number;
  /** Missed fires `all` runs at most, and skipped rows written one by one at most. */
  catchupLimit: number;
  /** Fires up to now + lookaheadMs are planned ahead so agents can arm precise timers. */
  lookaheadMs: number;
  ctx: FireContext;
  /** Missed fires walked one by one before skipping ahead to the newest (default 20,000). */
  scanLimit?: number;
}

export interface PlannedFire {
  scheduledFor: number;
  /** Set when this fire is recorded as a skipped run; the reason says why. */
  skipped?: string;
}

export interface Plan {
  /** In order of scheduledFor. */
  fires: PlannedFire[];
  /** The first fire after the last one planned; undefined when the schedule never fires again. */
  nextFireAt: number | undefined;
}

/** Missed fires counted one by one before the planner skips ahead: ~1 s of cron evaluation. */
const DEFAULT_SCAN_LIMIT = 20_000;
/** Fires within grace and lookahead planned in one call; the rest wait for the next call. */
const MAX_DUE = 10_000;
/** catchupLimit is clamped to this, so a careless setting cannot ask for a million rows. */
const MAX_CATCHUP = 10_000;

/** What the scan found behind the grace line: a count, the ends, and the newest few times. */
interface Missed {
  count: number;
  /** True when the count is a lower bound because the planner skipped ahead. */
  atLeast: boolean;
  first: number;
  /** The newest missed fires, oldest first. */
  tail: number[];
}

export function planFires(input: PlanInput): Plan {
  const { spec, cursor, now, misfire, ctx } = input;
  const limit = Math.max(0, Math.min(MAX_CATCHUP, Math.floor(input.catchupLimit)));
  const rowLimit = Math.max(1, limit);
  const lateBefore = now - Math.max(0, input.graceMs);
  const horizon = now + Math.max(0, input.lookaheadMs);
  if (cursor > horizon) return { fires: [], nextFireAt: cursor };

  // Enough newest fires to write every row one by one whenever the counts allow that.
  const tailSize = 2 * rowLimit + 1;
  const scanLimit = Math.max(1, input.scanLimit ?? DEFAULT_SCAN_LIMIT);
  const scan = scanMissed(spec, cursor, lateBefore, tailSize, scanLimit, ctx);
  const { missed } = scan;
  let t = scan.next;

  const fires: PlannedFire[] = [];
  if (missed.count > 0) {
    const ran = misfire === 'skip' ? 0 : misfire === 'once' ? 1 : Math.min(limit, missed.count);
    const why =
      misfire === 'skip'
        ? 'misfire policy skip'
        : misfire === 'once'
          ? 'misfire policy once runs only the latest missed fire'
          : `over the catch-up limit of ${limit} (misfire policy all)`;
    const skippedCount = missed.count - ran;
    if (skippedCount > 0) {
      const skippedTail = missed.tail.slice(0, missed.tail.length - ran);
      if (!missed.atLeast && skippedCount <= rowLimit) {
        for (const at of skippedTail.slice(-skippedCount)) {
          fires.push({
            scheduledFor: at,
            skipped: `missed by ${formatSpanCompact(now - at)} (agent down or busy); ${why}`,
          });
        }
      } else {
        const newest = skippedTail[skippedTail.length - 1] ?? missed.first;
        const count = missed.atLeast
          ? `more than ${(scanLimit - ran).toLocaleString('en-US')}`
          : skippedCount.toLocaleString('en-US');
        fires.push({
          scheduledFor: newest,
          skipped:
            `missed ${count} fires between ${formatInstant(missed.first)} and ` +
            `${formatInstant(newest)} (agent down or busy); ${why}`,
        });
      }
    }
    for (const at of missed.tail.slice(missed.tail.length - ran)) fires.push({ scheduledFor: at });
  }

  for (let n = 0; t !== undefined && t <= horizon && n < MAX_DUE; n++) {
    fires.push({ scheduledFor: t });
    t = nextFire(spec, t, ctx);
  }
  return { fires, nextFireAt: t };
}

/**
 * Walks the fires from the cursor up to the grace line. Past scanLimit fires it stops counting and
 * looks for the newest ones just behind the line instead, so a week-long outage of an every-second
 * schedule costs a bounded amount of work.
 */
function scanMissed(
  spec: ScheduleSpec,
  cursor: number,
  lateBefore: number,
  tailSize: number,
  scanLimit: number,
  ctx: FireContext,
): { missed: Missed; next: number | undefined } {
  const missed: Missed = { count: 0, atLeast: false, first: cursor, tail: [] };
  let t: number | undefined = cursor;
  while (t !== undefined && t < lateBefore) {
    missed.count++;
    pushTail(missed.tail, t, tailSize);
    if (missed.count >= scanLimit) break;
    t = nextFire(spec, t, ctx);
  }
  if (t === undefined || t >= lateBefore) return { missed: trimmed(missed, tailSize), next: t };

  // Skip ahead: look back from the grace line far enough to hold tailSize fires, judging the
  // distance from the average spacing seen so far.
  const last = t;
  const spacing = Math.max(1, (last - cursor) / Math.max(1, missed.count - 1));
  let span = spacing * (tailSize + 1) * 2;
  for (let attempt = 0; attempt < 30; attempt++) {
    const from = Math.max(last, lateBefore - span);
    const tail: number[] = [];
    let seen = 0;
    let u = nextFire(spec, from, ctx);
    while (u !== undefined && u < lateBefore && seen < scanLimit) {
      seen++;
      pushTail(tail, u, tailSize);
      u = nextFire(spec, u, ctx);
    }
    if (u !== undefined && u < lateBefore) {
      span /= 4; // too many in this span to walk; look closer to the line
      continue;
    }
    if (tail.length >= tailSize || from === last) {
      missed.count += seen;
      missed.atLeast = from > last;
      // Walked on from the last fire counted: the new fires continue the old tail.
      missed.tail = missed.atLeast ? tail : missed.tail.concat(tail);
      const newest = missed.tail[missed.tail.length - 1];
      if (missed.atLeast && spec.kind === 'every' && newest !== undefined) {
        // Evenly spaced: the count skipped over is arithmetic.
        missed.count = Math.round((newest - cursor) / (spec.everySec * 1000)) + 1;
        missed.atLeast = false;
      }
      return { missed: trimmed(missed, tailSize), next: u };
    }
    span *= 4;
  }
  // Fires too irregular to find the tail in bounded work: summarise what was seen and resume at
  // the grace line, so no missed fire is run as if it were on time.
  missed.atLeast = true;
  return {
    missed: trimmed(missed, tailSize),
    next: nextFire(spec, Math.ceil(lateBefore) - 1, ctx),
  };
}

function trimmed(missed: Missed, tailSize: number): Missed {
  return { ...missed, tail: missed.tail.slice(-tailSize) };
}

/** Keeps the newest `size` entries; trims in batches so a long scan stays linear. */
function pushTail(tail: number[], t: number, size: number): void {
  tail.push(t);
  if (tail.length >= 2 * size) tail.splice(0, tail.length - size);
}

function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
