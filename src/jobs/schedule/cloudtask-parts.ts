// Cloudtask keeps its schedule fields as strings ("MM/DD/YYYY", "HH:MM", "1,3,5", "0:1"). These
// readers turn them into numbers once, for validation, evaluation and descriptions alike; each
// returns undefined for text it cannot read, so callers decide what an error says.

import type { CloudtaskSchedule } from '../../model/schedules.ts';
import { dayFromYmd, daysInMonth } from '../../time/wall-time.ts';

export const TURNMODE_NAMES: Readonly<Record<number, string>> = {
  1: 'seconds',
  2: 'minutes',
  3: 'hours',
  4: 'daily',
  5: 'weekly',
  6: 'monthly',
};

/** MM/DD/YYYY to a day number (days since 1970-01-01), only for real calendar dates. */
export function readDate(text: string): number | undefined {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (!m) return undefined;
  const month = Number(m[1]);
  const day = Number(m[2]);
  const year = Number(m[3]);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  return dayFromYmd(year, month, day);
}

/** HH:MM to seconds of the day. */
export function readTime(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return undefined;
  return h * 3600 + min * 60;
}

/** A comma list of integers in [min, max], sorted and without duplicates. */
export function readList(text: string, min: number, max: number): number[] | undefined {
  const items = text.split(',').map((s) => s.trim());
  const out = new Set<number>();
  for (const item of items) {
    if (!/^\d{1,2}$/.test(item)) return undefined;
    const n = Number(item);
    if (n < min || n > max) return undefined;
    out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/** "which:weekday": which 0..5 (0 = last), weekday 0..6 (0 = Sunday). */
export function readWeek(text: string): { which: number; weekday: number } | undefined {
  const m = /^\s*([0-5])\s*:\s*([0-6])\s*$/.exec(text);
  if (!m) return undefined;
  return { which: Number(m[1]), weekday: Number(m[2]) };
}

/** The most days each month can have (February 29 in leap years). */
export const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A Cloudtask schedule with its text fields read; only built from validated specs. */
export interface CloudtaskParts {
  turnmode: number;
  interval: number;
  startDay: number;
  startSec: number;
  /** The daily window's end in seconds of the day (modes 1–3), tail included. */
  endSec: number | undefined;
  /** The last instant's wall day and second of day, if the schedule expires. */
  expiry: { day: number; sec: number } | undefined;
  weekdays: number[];
  months: number[];
  monthDay: number;
  week: { which: number; weekday: number } | undefined;
}

/** Reads a validated Cloudtask schedule; throws if a field is unreadable (validation was skipped). */
export function readCloudtask(spec: CloudtaskSchedule): CloudtaskParts {
  const startDay = readDate(spec.startdate);
  const startSec = readTime(spec.starttime);
  if (startDay === undefined || startSec === undefined) {
    throw new Error(`cloudtask schedule has an unreadable startdate/starttime; validate it first`);
  }
  // Cloudtask appends ":00" in seconds mode and ":59" otherwise, so "23:59" covers the whole day.
  const tailSec = spec.turnmode === 1 ? 0 : 59;
  const endTime = spec.endtime.trim() === '' ? undefined : readTime(spec.endtime);
  const endSec = endTime === undefined ? undefined : endTime + tailSec;
  const endDay = spec.enddate.trim() === '' ? undefined : readDate(spec.enddate);
  const expiry = endDay === undefined ? undefined : { day: endDay, sec: endSec ?? startSec + 59 };
  return {
    turnmode: spec.turnmode,
    interval: spec.interval,
    startDay,
    startSec,
    endSec,
    expiry,
    weekdays: readList(spec.selectat, 0, 6) ?? [],
    months: readList(spec.selectat, 1, 12) ?? [],
    monthDay: spec.monthlyof.day,
    week: readWeek(spec.monthlyof.week),
  };
}
