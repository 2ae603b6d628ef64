// Schedules arrive as untrusted JSON (native API, Cloudtask surface, CLI). This is the one place that
// decides whether one is valid, so every surface refuses the same things with the same words: each
// message names the field by its path and says how to fix it. Cloudtask combinations that can never
// fire (day 30 of February) are refused here, because Cloudtask itself would loop forever on them.

import { AgentError } from '../../errors.ts';
import { JOB_LIMITS } from '../../model/jobs.ts';
import type {
  AtSchedule,
  CloudtaskSchedule,
  CronSchedule,
  EverySchedule,
  MonthlyOf,
  ScheduleSpec,
} from '../../model/schedules.ts';
import {
  MAX_DAYS_IN_MONTH,
  TURNMODE_NAMES,
  readDate,
  readList,
  readTime,
  readWeek,
} from './cloudtask-parts.ts';
import { compileCron } from './cron-next-fire.ts';
import { fromWallMs, resolveTimeZone } from '../../time/wall-time.ts';

export const SCHEDULE_KINDS = ['cron', 'every', 'at', 'cloudtask'] as const;

const FIELDS = {
  cron: ['kind', 'expr', 'tz', 'enabled'],
  every: ['kind', 'everySec', 'enabled'],
  at: ['kind', 'at', 'enabled'],
  cloudtask: [
    'kind',
    'turnmode',
    'interval',
    'startdate',
    'enddate',
    'starttime',
    'endtime',
    'selectat',
    'monthlyof',
    'tz',
    'enabled',
  ],
} as const satisfies Record<(typeof SCHEDULE_KINDS)[number], readonly string[]>;

const MONTHLYOF_FIELDS = ['day', 'week'] as const;
const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

type Json = Record<string, unknown>;

/**
 * Validates one schedule and returns it normalised (`enabled` defaults to true, Cloudtask's 1/0
 * becomes a boolean, `at` becomes a UTC ISO string). `path` prefixes every message, e.g.
 * `schedules[0]`. `defaultTz` reads an `at` written without a UTC offset; without it such an `at`
 * is refused. Throws AgentError INVALID_INPUT.
 */
export function parseSchedule(input: unknown, path: string, defaultTz?: string): ScheduleSpec {
  const v: Validator = new Validator(path);
  const obj = v.object(input, '', 'a schedule object such as {"kind":"every","everySec":60}');
  const kind = obj.kind;
  if (kind === undefined) {
    v.fail('kind', `is required; use one of ${SCHEDULE_KINDS.join(', ')}`);
  }
  if (typeof kind !== 'string' || !isKind(kind)) {
    const near = typeof kind === 'string' ? nearest(kind, SCHEDULE_KINDS) : undefined;
    const hint = near ? ` (did you mean ${near}?)` : '';
    v.fail('kind', `unknown kind ${show(kind)}${hint}; use one of ${SCHEDULE_KINDS.join(', ')}`);
  }
  v.knownFields(
    obj,
    '',
    FIELDS[kind],
    `${kind === 'every' || kind === 'at' ? 'an' : 'a'} ${kind} schedule`,
  );
  switch (kind) {
    case 'cron':
      return parseCron(v, obj);
    case 'every':
      return parseEvery(v, obj);
    case 'at':
      return parseAt(v, obj, defaultTz);
    case 'cloudtask':
      return parseCloudtask(v, obj);
  }
}

function isKind(s: string): s is (typeof SCHEDULE_KINDS)[number] {
  return (SCHEDULE_KINDS as readonly string[]).includes(s);
}

function parseCron(v: Validator, obj: Json): CronSchedule {
  const raw = v.string(obj.expr, 'expr', 'a cron expression such as "0 */2 * * *"');
  const expr = raw.trim().split(/\s+/).join(' ');
  const fields = expr.split(' ');
  if (!expr.startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    v.fail(
      'expr',
      `has ${fields.length} field${fields.length === 1 ? '' : 's'} ("${expr}"); use 5 (minute hour ` +
        `day-of-month month day-of-week) or 6 with seconds first (second minute hour day-of-month ` +
        `month day-of-week)`,
    );
  }
  if (expr.includes('?')) {
    v.fail('expr', `"${expr}" uses "?", which bosun does not accept; use "*" instead`);
  }
  try {
    // From the epoch, so a pattern that fires only on February 29 still finds 1972.
    if (!compileCron(expr).nextRun(new Date(0))) {
      v.fail('expr', `"${expr}" never fires (no date matches it); check the day and month fields`);
    }
  } catch (err) {
    if (err instanceof AgentError) throw err;
    const reason = (err instanceof Error ? err.message : String(err)).replace(
      /^CronPattern:\s*/,
      '',
    );
    v.fail('expr', `invalid cron expression "${expr}": ${reason}`);
  }
  const spec: CronSchedule = { kind: 'cron', expr, enabled: v.enabled(obj.enabled, false) };
  const tz = v.timeZone(obj.tz);
  if (tz !== undefined) spec.tz = tz;
  return spec;
}

function parseEvery(v: Validator, obj: Json): EverySchedule {
  const everySec = obj.everySec;
  const { min, max } = JOB_LIMITS.everySec;
  if (
    typeof everySec !== 'number' ||
    !Number.isInteger(everySec) ||
    everySec < min ||
    everySec > max
  ) {
    v.fail(
      'everySec',
      `must be a whole number of seconds, at least ${min} and at most ${max} (10 years); got ${show(everySec)}`,
    );
  }
  return { kind: 'every', everySec, enabled: v.enabled(obj.enabled, false) };
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function parseAt(v: Validator, obj: Json, defaultTz: string | undefined): AtSchedule {
  const text = v.string(obj.at, 'at', 'an ISO time such as "2026-12-01T10:00:00Z"').trim();
  const m = ISO_TIME.exec(text);
  const example = 'e.g. "2026-12-01T10:00:00Z" or "2026-12-01T10:00:00+01:00"';
  if (!m) v.fail('at', `${show(text)} is not an ISO time; write ${example}`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  const real =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= new Date(Date.UTC(year, month, 0)).getUTCDate() &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  if (!real) v.fail('at', `${show(text)} is not a real date and time; write ${example}`);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const offset = m[8];
  let instant: number;
  if (offset === undefined) {
    if (defaultTz === undefined || resolveTimeZone(defaultTz) === undefined) {
      v.fail('at', `${show(text)} has no UTC offset; add one, ${example}`);
    }
    instant = fromWallMs(defaultTz, wall);
  } else if (offset.toUpperCase() === 'Z') {
    instant = wall;
  } else {
    const digits = offset.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) v.fail('at', `${show(text)} has an invalid UTC offset; ${example}`);
    instant = wall - sign * (oh * 60 + om) * 60_000;
  }
  return {
    kind: 'at',
    at: new Date(instant).toISOString(),
    enabled: v.enabled(obj.enabled, false),
  };
}

function parseCloudtask(v: Validator, obj: Json): CloudtaskSchedule {
  const turnmode = obj.turnmode;
  if (typeof turnmode !== 'number' || !Number.isInteger(turnmode) || turnmode < 1 || turnmode > 6) {
    const modes = Object.entries(TURNMODE_NAMES)
      .map(([n, name]) => `${n} ${name}`)
      .join(', ');
    v.fail('turnmode', `must be 1..6 (${modes}); got ${show(turnmode)}`);
  }
  const mode = `turnmode ${turnmode} (${TURNMODE_NAMES[turnmode]})`;

  const interval = parseInterval(v, obj.interval, turnmode, mode);

  const dateHint = 'a real date as MM/DD/YYYY, e.g. "01/31/2026"';
  const timeHint = 'a time as HH:MM (24-hour), e.g. "08:30"';
  const startdate = v.string(obj.startdate, 'startdate', dateHint);
  const startDay = readDate(startdate);
  if (startDay === undefined) v.fail('startdate', `must be ${dateHint}; got ${show(startdate)}`);
  const enddate = obj.enddate === undefined ? '' : v.string(obj.enddate, 'enddate', dateHint);
  if (enddate.trim() !== '') {
    const endDay = readDate(enddate);
    if (endDay === undefined) {
      v.fail('enddate', `must be ${dateHint}, or "" for no end; got ${show(enddate)}`);
    }
    if (endDay < startDay) {
      v.fail('enddate', `${enddate} is before startdate ${startdate}; use a later enddate`);
    }
  }
  const starttime = v.string(obj.starttime, 'starttime', timeHint);
  const startSec = readTime(starttime);
  if (startSec === undefined) v.fail('starttime', `must be ${timeHint}; got ${show(starttime)}`);
  const endtime = obj.endtime === undefined ? '' : v.string(obj.endtime, 'endtime', timeHint);
  if (endtime.trim() === '') {
    if (turnmode <= 3) {
      v.fail(
        'endtime',
        `is required for ${mode}: runs happen between starttime and endtime each day; ` +
          `use "23:59" for the whole day`,
      );
    }
  } else {
    const endSec = readTime(endtime);
    if (endSec === undefined) v.fail('endtime', `must be ${timeHint}, or ""; got ${show(endtime)}`);
    if (turnmode <= 3 && endSec < startSec) {
      v.fail(
        'endtime',
        `${endtime} is before starttime ${starttime}; the daily window cannot cross midnight ` +
          `(use two schedules, one ending at 23:59 and one starting at 00:00)`,
      );
    }
  }

  const selectat = obj.selectat === undefined ? '' : v.string(obj.selectat, 'selectat', 'a list');
  let months: number[] = [];
  if (turnmode === 5 && readList(selectat, 0, 6) === undefined) {
    v.fail(
      'selectat',
      `must list weekdays 0..6 (0 = Sunday) separated by commas for ${mode}, e.g. "1,3,5"; ` +
        `got ${show(selectat)}`,
    );
  }
  if (turnmode === 6) {
    const list = readList(selectat, 1, 12);
    if (list === undefined) {
      v.fail(
        'selectat',
        `must list months 1..12 separated by commas for ${mode}, e.g. "1,7"; got ${show(selectat)}`,
      );
    }
    months = list;
  }

  const monthlyof = parseMonthlyOf(v, obj.monthlyof, turnmode === 6);
  if (turnmode === 6 && monthlyof.day !== 0) {
    const most = Math.max(...months.map((m) => MAX_DAYS_IN_MONTH[m - 1] ?? 31));
    if (Math.abs(monthlyof.day) > most) {
      const names = months.map((m) => MONTH_NAMES[m - 1]).join(', ');
      const which =
        monthlyof.day > 0 ? `day ${monthlyof.day}` : `day ${monthlyof.day} from the end`;
      v.fail(
        'monthlyof.day',
        `${which} never occurs in the selected months (${names}), which have at most ${most} days; ` +
          `use a day within ${most}, -1 for the last day, or select more months in selectat`,
      );
    }
  }

  const spec: CloudtaskSchedule = {
    kind: 'cloudtask',
    turnmode,
    interval,
    startdate,
    enddate,
    starttime,
    endtime,
    selectat,
    monthlyof,
    enabled: v.enabled(obj.enabled, true),
  };
  const tz = v.timeZone(obj.tz);
  if (tz !== undefined) spec.tz = tz;
  return spec;
}

function parseInterval(v: Validator, interval: unknown, turnmode: number, mode: string): number {
  const { max } = JOB_LIMITS.interval;
  const within = (value: unknown, min: number): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  if (turnmode === 6) {
    if (interval === undefined) return 1; // Monthly schedules ignore it; Cloudtask always sends one.
    if (!within(interval, 0)) {
      v.fail(
        'interval',
        `must be a whole number from 0 to ${max} (monthly schedules ignore it); got ${show(interval)}`,
      );
    }
    return interval;
  }
  if (!within(interval, 1)) {
    v.fail(
      'interval',
      `must be a whole number, at least 1 and at most ${max}, for ${mode}; got ${show(interval)}`,
    );
  }
  return interval;
}

function parseMonthlyOf(v: Validator, input: unknown, required: boolean): MonthlyOf {
  if (input === undefined && !required) return { day: 0, week: '' };
  const obj = v.object(input, 'monthlyof', '{"day": 1, "week": ""}');
  v.knownFields(obj, 'monthlyof.', MONTHLYOF_FIELDS, 'monthlyof');
  const day = obj.day ?? 0;
  if (typeof day !== 'number' || !Number.isInteger(day) || day < -31 || day > 31) {
    v.fail(
      'monthlyof.day',
      `must be a whole number from -31 to 31 (1 = first day, -1 = last day, 0 = use week); ` +
        `got ${show(day)}`,
    );
  }
  const week = obj.week === undefined ? '' : v.string(obj.week, 'monthlyof.week', 'a string');
  if (required && day === 0 && readWeek(week) === undefined) {
    v.fail(
      'monthlyof.week',
      `must be "which:weekday" when day is 0: which 1..5 for the nth or 0 for the last, weekday ` +
        `0..6 (0 = Sunday), e.g. "0:1" for the last Monday; got ${show(week)}`,
    );
  }
  return { day, week };
}

/** Collects the path and throws AgentErrors; `fail` never returns, so TypeScript narrows after it. */
class Validator {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  fail(field: string, message: string): never {
    const where = field === '' ? this.path : this.path === '' ? field : `${this.path}.${field}`;
    throw new AgentError('INVALID_INPUT', `${where || 'schedule'}: ${message}`);
  }

  object(input: unknown, field: string, example: string): Json {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      this.fail(field, `must be an object, ${example}; got ${show(input)}`);
    }
    return input as Json;
  }

  knownFields(obj: Json, prefix: string, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const near = nearest(key, allowed);
      this.fail(
        prefix + key,
        `unknown field for ${what}; ${near ? `did you mean ${near}?` : `allowed fields: ${allowed.join(', ')}`}`,
      );
    }
  }

  string(input: unknown, field: string, example: string): string {
    if (typeof input !== 'string') {
      this.fail(
        field,
        input === undefined ? `is required: ${example}` : `must be ${example}; got ${show(input)}`,
      );
    }
    return input;
  }

  /** Cloudtask sends 1/0; everything else must be a boolean. */
  enabled(input: unknown, allowNumbers: boolean): boolean {
    if (input === undefined) return true;
    if (typeof input === 'boolean') return input;
    if (allowNumbers && (input === 0 || input === 1)) return input === 1;
    this.fail(
      'enabled',
      `must be true or false${allowNumbers ? ' (or 1 / 0)' : ''}; got ${show(input)}`,
    );
  }

  timeZone(input: unknown): string | undefined {
    if (input === undefined) return undefined;
    if (typeof input === 'string') {
      const tz = resolveTimeZone(input);
      if (tz !== undefined) return tz;
    }
    const near =
      typeof input === 'string' ? nearest(input, Intl.supportedValuesOf('timeZone')) : undefined;
    const hint = near ? ` (did you mean ${near}?)` : '';
    this.fail(
      'tz',
      `unknown time zone ${show(input)}${hint}; use an IANA zone name such as Europe/Berlin or UTC`,
    );
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The option a near miss meant (same but for case, or up to two edits), if any. */
function nearest(input: string, options: readonly string[]): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = option.toLowerCase() === lower ? 0 : distance(lower, option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  const limit = Math.min(2, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
