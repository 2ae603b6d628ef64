// One short line of plain English per schedule, for the dashboard and the CLI, so nobody has to
// decode a cron expression or a Cloudtask turnmode to know when a job runs.

import type { CloudtaskSchedule, ScheduleSpec } from '../../model/schedules.ts';
import { pad } from '../../units/display.ts';
import { readList, readWeek } from './cloudtask-parts.ts';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NTH = ['last', 'first', 'second', 'third', 'fourth', 'fifth'];

/**
 * E.g. "every 5 minutes", "every day at 02:30 (Europe/Berlin)", "once at 2026-12-01 10:00 UTC".
 * `tz` names the zone for schedules that carry none (the agent's); without it none is shown.
 */
export function describeSchedule(spec: ScheduleSpec, opts: { tz?: string } = {}): string {
  const text = describeEnabled(spec, opts.tz);
  return spec.enabled ? text : `${text} (disabled)`;
}

function describeEnabled(spec: ScheduleSpec, defaultTz: string | undefined): string {
  switch (spec.kind) {
    case 'every':
      return `every ${amount(spec.everySec)}`;
    case 'at': {
      const t = Date.parse(spec.at);
      if (Number.isNaN(t)) return `once at ${spec.at}`;
      const iso = new Date(t).toISOString();
      const seconds = iso.slice(16, 19) === ':00' ? '' : iso.slice(16, 19);
      return `once at ${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds} UTC`;
    }
    case 'cron':
      return withZone(describeCron(spec.expr), spec.tz ?? defaultTz);
    case 'cloudtask':
      return withZone(describeCloudtask(spec), spec.tz ?? defaultTz);
  }
}

function withZone(text: string, tz: string | undefined): string {
  return tz === undefined ? text : `${text} (${tz})`;
}

/** "5 minutes", "hour", "90 seconds": the largest unit that divides evenly. */
function amount(sec: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (sec >= size && sec % size === 0) {
      const n = sec / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${sec} seconds`;
}

function describeCron(expr: string): string {
  // The common shapes read as words; anything else reads best as the expression itself.
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `cron ${expr}`;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const everyDay = dom === '*' && month === '*';
  const step = (field: string): number | undefined => {
    const m = /^\*\/(\d{1,2})$/.exec(field);
    return m ? Number(m[1]) : undefined;
  };
  const n = (field: string, max: number): number | undefined =>
    /^\d{1,2}$/.test(field) && Number(field) < max ? Number(field) : undefined;
  if (everyDay && dow === '*') {
    if (minute === '*' && hour === '*') return 'every minute';
    const minutes = step(minute);
    if (minutes !== undefined && hour === '*') return `every ${amount(minutes * 60)}`;
    const m = n(minute, 60);
    if (m !== undefined && hour === '*') return `every hour at :${pad(m)}`;
    const hours = step(hour);
    if (m !== undefined && hours !== undefined) {
      return `every ${amount(hours * 3600)} at :${pad(m)}`;
    }
  }
  const m = n(minute, 60);
  const h = n(hour, 24);
  if (m !== undefined && h !== undefined && everyDay) {
    if (dow === '*') return `every day at ${hhmm(h, m)}`;
    const days = dow.split(',').map((d) => n(d, 7));
    if (days.every((d) => d !== undefined)) {
      return `every ${days.map((d) => WEEKDAYS[d as number]).join(', ')} at ${hhmm(h, m)}`;
    }
  }
  return `cron ${expr}`;
}

function hhmm(hour: number, minute: number): string {
  return `${pad(hour)}:${pad(minute)}`;
}

function describeCloudtask(s: CloudtaskSchedule): string {
  const until = s.enddate.trim() === '' ? '' : `, until ${s.enddate}`;
  switch (s.turnmode) {
    case 1:
    case 2:
    case 3: {
      const unit = s.turnmode === 1 ? 'second' : s.turnmode === 2 ? 'minute' : 'hour';
      const every = s.interval === 1 ? unit : `${s.interval} ${unit}s`;
      return `every ${every}, ${s.starttime}–${s.endtime}, from ${s.startdate}${until}`;
    }
    case 4: {
      const every = s.interval === 1 ? 'day' : `${s.interval} days`;
      return `every ${every} at ${s.starttime}, from ${s.startdate}${until}`;
    }
    case 5: {
      const days = (readList(s.selectat, 0, 6) ?? []).map((d) => WEEKDAYS[d]).join(', ');
      const every = s.interval === 1 ? '' : ` every ${s.interval} weeks`;
      return `weekly on ${days}${every} at ${s.starttime}${until}`;
    }
    case 6: {
      const list = readList(s.selectat, 1, 12) ?? [];
      const months = list.length === 12 ? 'every month' : list.map((m) => MONTHS[m - 1]).join(', ');
      return `monthly on ${monthDay(s)} of ${months} at ${s.starttime}${until}`;
    }
    default:
      return `cloudtask turnmode ${s.turnmode}`;
  }
}

function monthDay(s: CloudtaskSchedule): string {
  const day = s.monthlyof.day;
  if (day > 0) return `day ${day}`;
  if (day === -1) return 'the last day';
  if (day < 0) return `the ${ordinal(-day)}-to-last day`;
  const week = readWeek(s.monthlyof.week);
  if (!week) return `week ${s.monthlyof.week}`;
  return `the ${NTH[week.which]} ${WEEKDAY_NAMES[week.weekday]}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
