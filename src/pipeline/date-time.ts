// Date and time in pipelines (the Sql transform's functions, LocalFile's file names): values carry them as ISO/SQL text
// (`2024-05-01`, `2024-05-01T10:20:30`, `2024-05-01 10:20:30.5`), read here into wall-clock parts and
// formatted with Java's DateTimeFormatter letters (yyyy-MM-dd HH:mm:ss), as SeaTunnel's functions take.

import { toWallMs } from '../time/wall-time.ts';
import { pad } from '../units/display.ts';

export interface DateTimeParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millis: number;
}

const DATE_TIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/** The parts of a date or timestamp text; undefined when it is neither. */
export function parseDateTime(value: unknown): DateTimeParts | undefined {
  if (value instanceof Date) return partsOf(value.getTime(), undefined);
  if (typeof value !== 'string') return undefined;
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return {
    year: n(1),
    month: n(2),
    day: n(3),
    hour: n(4),
    minute: n(5),
    second: n(6),
    millis: m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3)),
  };
}

/** SeaTunnel's timestamp text (Java's LocalDateTime.toString, to the millisecond). */
export function timestampText(p: DateTimeParts): string {
  const base = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  return p.millis === 0 ? base : `${base}.${pad(p.millis, 3)}`;
}

export function dateText(p: DateTimeParts): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Wall-clock parts of an instant in a time zone (IANA name or offset), or the process's own. */
export function partsOf(epochMs: number, timeZone: string | undefined): DateTimeParts {
  if (timeZone === undefined) {
    const d = new Date(epochMs);
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hour: d.getHours(),
      minute: d.getMinutes(),
      second: d.getSeconds(),
      millis: d.getMilliseconds(),
    };
  }
  // The schedules' zone conversion, with its formatter made once per zone.
  const wall = new Date(toWallMs(timeZone, epochMs));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    millis: wall.getUTCMilliseconds(),
  };
}

/** The parts as if they were UTC, for differences in calendar units. */
export function utcMillis(p: DateTimeParts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millis);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A Java-style pattern compiled once into a formatter. Unknown letters are an error, as in Java. */
export function compilePattern(pattern: string): (p: DateTimeParts) => string {
  const pieces: Array<string | ((p: DateTimeParts) => string)> = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const text = pattern.slice(i + 1, end === -1 ? pattern.length : end);
      pieces.push(text === '' ? "'" : text);
      i = end === -1 ? pattern.length : end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      pieces.push(c);
      i += 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n += 1;
    pieces.push(field(c, n, pattern));
    i += n;
  }
  return (p) => {
    let out = '';
    for (const piece of pieces) out += typeof piece === 'string' ? piece : piece(p);
    return out;
  };
}

function field(letter: string, count: number, pattern: string): (p: DateTimeParts) => string {
  const num = (get: (p: DateTimeParts) => number) => (p: DateTimeParts) => pad(get(p), count);
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2 ? (p) => pad(p.year % 100) : num((p) => p.year);
    case 'M':
      if (count === 3) return (p) => (MONTHS[p.month - 1] ?? '').slice(0, 3);
      if (count >= 4) return (p) => MONTHS[p.month - 1] ?? '';
      return num((p) => p.month);
    case 'd':
      return num((p) => p.day);
    case 'H':
      return num((p) => p.hour);
    case 'h':
      return num((p) => (p.hour % 12 === 0 ? 12 : p.hour % 12));
    case 'm':
      return num((p) => p.minute);
    case 's':
      return num((p) => p.second);
    case 'S':
      return (p) => pad(p.millis, 3).padEnd(count, '0').slice(0, count);
    case 'a':
      return (p) => (p.hour < 12 ? 'AM' : 'PM');
    case 'E': {
      const name = (p: DateTimeParts) => DAYS[new Date(utcMillis(p)).getUTCDay()] ?? '';
      return count >= 4 ? name : (p) => name(p).slice(0, 3);
    }
    default:
      throw new Error(`unknown pattern letter '${letter}' in "${pattern}"`);
  }
}
