// Cloudtask's six turnmodes (specs/cloudtask.md §1.2) with bosun's fixes: wall-clock days in a real
// IANA zone instead of a fixed offset, and bounded searches instead of Cloudtask's day-by-day loop
// that never ends on day 30 of February.

import type { CloudtaskSchedule } from '../../model/schedules.ts';
import { readCloudtask, type CloudtaskParts } from './cloudtask-parts.ts';
import {
  daysInMonth,
  dayFromYmd,
  fromWallMs,
  toWallMs,
  wallAt,
  wallDay,
  weekdayOfDay,
} from '../../time/wall-time.ts';

const UNIT_SEC: Readonly<Record<number, number>> = { 1: 1, 2: 60, 3: 3600 };
/** About 166 years of months: a monthly schedule that validated fires well within this. */
const MAX_MONTHS = 2000;

/** The first fire of a Cloudtask schedule strictly after `afterMs`, in `tz`. */
export function cloudtaskNextFire(
  spec: CloudtaskSchedule,
  tz: string,
  afterMs: number,
): number | undefined {
  const p = readCloudtask(spec);
  const expiresAt = p.expiry ? fromWallMs(tz, wallAt(p.expiry.day, p.expiry.sec)) : Infinity;
  const t = candidate(p, tz, afterMs);
  return t !== undefined && t <= expiresAt ? t : undefined;
}

function candidate(p: CloudtaskParts, tz: string, afterMs: number): number | undefined {
  // The day before afterMs's wall day is early enough to start any search: its fires are all
  // more than a day of wall time, so well over 20 hours, before the day afterMs is in.
  const fromDay = Math.max(p.startDay, wallDay(toWallMs(tz, afterMs)) - 1);
  switch (p.turnmode) {
    case 1:
    case 2:
    case 3:
      return windowed(p, tz, afterMs, fromDay);
    case 4:
      return daily(p, tz, afterMs, fromDay);
    case 5:
      return weekly(p, tz, afterMs, fromDay);
    case 6:
      return monthly(p, tz, afterMs, fromDay);
    default:
      return undefined;
  }
}

/**
 * Modes 1–3: ticks on absolute time at start + k·interval, kept only inside each day's wall window
 * [starttime, endtime]; each window's start fires too, as after Cloudtask's jump to "tomorrow".
 */
function windowed(p: CloudtaskParts, tz: string, afterMs: number, fromDay: number) {
  const stepMs = p.interval * (UNIT_SEC[p.turnmode] ?? 1) * 1000;
  if (!(stepMs > 0) || p.endSec === undefined) return undefined;
  const start = fromWallMs(tz, wallAt(p.startDay, p.startSec));
  // The window start fires every day, so a few days always suffice.
  for (let day = fromDay; day < fromDay + 4; day++) {
    const windowStart = fromWallMs(tz, wallAt(day, p.startSec));
    const windowEnd = fromWallMs(tz, wallAt(day, p.endSec));
    let best = windowStart > afterMs ? windowStart : undefined;
    const k = Math.max(
      0,
      Math.ceil((windowStart - start) / stepMs),
      Math.floor((afterMs - start) / stepMs) + 1,
    );
    const tick = start + k * stepMs;
    if (tick <= windowEnd && tick > afterMs && (best === undefined || tick < best)) best = tick;
    if (best !== undefined) return best;
  }
  return undefined;
}

/** Mode 4: every interval-th day from startdate, at starttime. */
function daily(p: CloudtaskParts, tz: string, afterMs: number, fromDay: number) {
  if (!(p.interval >= 1)) return undefined;
  const k0 = Math.max(0, Math.floor((fromDay - p.startDay) / p.interval));
  for (let k = k0; k < k0 + 4; k++) {
    const t = fromWallMs(tz, wallAt(p.startDay + k * p.interval, p.startSec));
    if (t > afterMs) return t;
  }
  return undefined;
}

/** Mode 5: weeks counted from startdate's week (Sunday first); every interval-th week. */
function weekly(p: CloudtaskParts, tz: string, afterMs: number, fromDay: number) {
  if (!(p.interval >= 1) || p.weekdays.length === 0) return undefined;
  const firstSunday = p.startDay - weekdayOfDay(p.startDay);
  const week = Math.floor((fromDay - firstSunday) / 7);
  let w = Math.ceil(week / p.interval) * p.interval;
  for (let n = 0; n < 4; n++, w += p.interval) {
    for (const wd of p.weekdays) {
      const day = firstSunday + w * 7 + wd;
      if (day < p.startDay) continue;
      const t = fromWallMs(tz, wallAt(day, p.startSec));
      if (t > afterMs) return t;
    }
  }
  return undefined;
}

/** Mode 6: the listed months, on a day, a day from the end, or the nth/last weekday. */
function monthly(p: CloudtaskParts, tz: string, afterMs: number, fromDay: number) {
  if (p.months.length === 0) return undefined;
  const from = new Date(fromDay * 86_400_000);
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  for (let i = 0; i < MAX_MONTHS; i++) {
    if (p.months.includes(month)) {
      const dom = dayOfMonth(p, year, month);
      if (dom !== undefined) {
        const day = dayFromYmd(year, month, dom);
        if (day >= p.startDay) {
          const t = fromWallMs(tz, wallAt(day, p.startSec));
          if (t > afterMs) return t;
        }
      }
    }
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return undefined;
}

/** The day of the month mode 6 fires on, or undefined if this month has no such day. */
function dayOfMonth(p: CloudtaskParts, year: number, month: number): number | undefined {
  const last = daysInMonth(year, month);
  if (p.monthDay > 0) return p.monthDay <= last ? p.monthDay : undefined;
  if (p.monthDay < 0) {
    const d = last + 1 + p.monthDay;
    return d >= 1 ? d : undefined;
  }
  if (!p.week) return undefined;
  const firstWeekday = weekdayOfDay(dayFromYmd(year, month, 1));
  const first = 1 + ((p.week.weekday - firstWeekday + 7) % 7);
  if (p.week.which === 0) return first + Math.floor((last - first) / 7) * 7;
  const d = first + (p.week.which - 1) * 7;
  return d <= last ? d : undefined;
}
