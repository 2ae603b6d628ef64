// The Sql transform's functions (SeaTunnel's sql-functions.md, the common ones): each with its
// argument count, its result type and its per-row code. Unless a function says it handles nulls, a
// null argument makes the result null.
import { randomUUID } from 'node:crypto';
import type { DataType } from '../../../data-type.ts';
import {
  compilePattern,
  dateText,
  parseDateTime,
  partsOf,
  timestampText,
  utcMillis,
  type DateTimeParts,
} from '../../../date-time.ts';
import { arithmeticType, isIntegral, lastOf, sqlEquals, toNumber, toText } from './values.ts';

export interface SqlFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The result type, from the argument types. */
  type(args: readonly DataType[]): DataType;
  /** Whether the function sees null arguments (COALESCE, CONCAT) instead of returning null for them. */
  readonly seesNulls?: boolean;
  /** Checks constant arguments at create time (undefined where an argument is not a literal). */
  check?(literals: readonly unknown[]): void;
  /** Makes the per-row code; called once per use in a query, so it may keep caches. */
  make(): (args: readonly unknown[]) => unknown;
}

const STRING: DataType = { kind: 'string' };
const BIGINT: DataType = { kind: 'bigint' };
const DOUBLE: DataType = { kind: 'double' };
const TIMESTAMP: DataType = { kind: 'timestamp' };

const text = (v: unknown) => toText(v);
const int = (v: unknown) => Math.trunc(toNumber(v));
/** The first argument's type, or the first non-null one. */
const firstType = (args: readonly DataType[]): DataType =>
  args.find((t) => t.kind !== 'null') ?? { kind: 'null' };
const sameAsFirst = (args: readonly DataType[]): DataType => args[0] ?? { kind: 'null' };

function fn(
  minArgs: number,
  maxArgs: number,
  type: DataType | ((args: readonly DataType[]) => DataType),
  call: (args: readonly unknown[]) => unknown,
  seesNulls = false,
): SqlFunction {
  return {
    minArgs,
    maxArgs,
    type: typeof type === 'function' ? type : () => type,
    seesNulls,
    make: () => call,
  };
}

/** Java's Math.round on BigDecimal HALF_UP: halves away from zero, at `digits` decimals. */
export function roundHalfUp(value: number, digits: number): number {
  const sign = value < 0 ? -1 : 1;
  // Shifting through the exponent avoids 1.005 * 100 = 100.49999….
  const shifted = Math.round(Number(`${Math.abs(value)}e${digits}`));
  return sign * Number(`${shifted}e${-digits}`) || 0;
}

function pad(left: boolean) {
  return (args: readonly unknown[]) => {
    const s = text(args[0]);
    const length = int(args[1]);
    const filler = args.length > 2 ? text(args[2]) : ' ';
    if (length <= s.length || filler === '') return s.slice(0, Math.max(0, length));
    return left ? s.padStart(length, filler) : s.padEnd(length, filler);
  };
}

function trimmer(start: boolean, end: boolean) {
  return (args: readonly unknown[]) => {
    const s = text(args[0]);
    const chars = args.length > 1 ? text(args[1]) : ' ';
    let from = 0;
    let to = s.length;
    if (start) while (from < to && chars.includes(s[from] as string)) from += 1;
    if (end) while (to > from && chars.includes(s[to - 1] as string)) to -= 1;
    return s.slice(from, to);
  };
}

/** SUBSTRING(s, start[, length]): 1-based; a negative start counts from the end (H2's rule). */
function substring(args: readonly unknown[]): string {
  const s = text(args[0]);
  let start = int(args[1]);
  if (start < 0) start = s.length + start + 1;
  const from = Math.max(0, start - 1);
  if (args.length < 3) return s.slice(from);
  const length = int(args[2]);
  // Positions before the first character still use up the length, as in SQL.
  const to = Math.max(0, start - 1 + length);
  return length <= 0 ? '' : s.slice(from, to);
}

function numericUnary(op: (n: number) => number) {
  return fn(
    1,
    1,
    (args) => (isIntegral(sameAsFirst(args)) ? sameAsFirst(args) : DOUBLE),
    (a) => op(toNumber(a[0])),
  );
}

const toDateTime = (value: unknown, what: string): DateTimeParts => {
  const parts = parseDateTime(value);
  if (!parts) {
    throw new Error(`Sql: ${what}: ${JSON.stringify(value)} is not a date or timestamp`);
  }
  return parts;
};

/** The calendar units DATEDIFF counts. */
export const DATE_UNITS = new Set([
  'YEAR',
  'MONTH',
  'DAY',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
]);

const UNIT_MS: Record<string, number> = {
  DAY: 86_400_000,
  HOUR: 3_600_000,
  MINUTE: 60_000,
  SECOND: 1_000,
  MILLISECOND: 1,
};

/** DATEDIFF([unit,] start, end): the unit boundaries crossed from start to end (DAY by default). */
export function dateDiff(unit: string, start: DateTimeParts, end: DateTimeParts): number {
  switch (unit) {
    case 'YEAR':
      return end.year - start.year;
    case 'MONTH':
      return (end.year - start.year) * 12 + (end.month - start.month);
    default: {
      const size = UNIT_MS[unit];
      if (size === undefined) {
        throw new Error(`Sql: DATEDIFF does not know the unit ${unit}`);
      }
      return Math.floor(utcMillis(end) / size) - Math.floor(utcMillis(start) / size);
    }
  }
}

function now(): string {
  return timestampText(partsOf(Date.now(), undefined));
}

export const FUNCTIONS: Readonly<Record<string, SqlFunction>> = {
  CONCAT: fn(
    1,
    Infinity,
    STRING,
    (a) => a.map((v) => (v === null || v === undefined ? '' : text(v))).join(''),
    true,
  ),
  UPPER: fn(1, 1, STRING, (a) => text(a[0]).toUpperCase()),
  LOWER: fn(1, 1, STRING, (a) => text(a[0]).toLowerCase()),
  SUBSTRING: fn(2, 3, STRING, substring),
  SUBSTR: fn(2, 3, STRING, substring),
  TRIM: fn(1, 2, STRING, trimmer(true, true)),
  LTRIM: fn(1, 2, STRING, trimmer(true, false)),
  RTRIM: fn(1, 2, STRING, trimmer(false, true)),
  REPLACE: fn(2, 3, STRING, (a) =>
    text(a[0]).replaceAll(text(a[1]), a.length > 2 ? text(a[2]) : ''),
  ),
  LENGTH: fn(1, 1, BIGINT, (a) => text(a[0]).length),
  CHAR_LENGTH: fn(1, 1, BIGINT, (a) => text(a[0]).length),
  LPAD: fn(2, 3, STRING, pad(true)),
  RPAD: fn(2, 3, STRING, pad(false)),
  REGEXP_REPLACE: {
    minArgs: 3,
    maxArgs: 4,
    type: () => STRING,
    check(literals) {
      if (typeof literals[1] === 'string') new RegExp(literals[1]);
      if (typeof literals[2] === 'string') javaReplacement(literals[2]);
    },
    make() {
      // Java's flags i (ignore case), c (case-sensitive), n (dot matches newline), m (multiline).
      const regex = lastOf((key: string) => {
        const [pattern, flags] = JSON.parse(key) as [string, string];
        let js = 'g';
        if (flags.includes('i') && !flags.includes('c')) js += 'i';
        if (flags.includes('n')) js += 's';
        if (flags.includes('m')) js += 'm';
        try {
          return new RegExp(pattern, js);
        } catch (err) {
          throw new Error(`Sql: REGEXP_REPLACE: ${(err as Error).message}`, { cause: err });
        }
      });
      const replacement = lastOf(javaReplacement);
      return (a) =>
        text(a[0]).replace(
          regex(JSON.stringify([text(a[1]), a.length > 3 ? text(a[3]) : ''])),
          replacement(text(a[2])),
        );
    },
  },
  ABS: numericUnary(Math.abs),
  ROUND: fn(
    1,
    2,
    (args) => (isIntegral(sameAsFirst(args)) ? sameAsFirst(args) : DOUBLE),
    (a) => roundHalfUp(toNumber(a[0]), a.length > 1 ? int(a[1]) : 0),
  ),
  CEIL: numericUnary(Math.ceil),
  CEILING: numericUnary(Math.ceil),
  FLOOR: numericUnary(Math.floor),
  MOD: fn(
    2,
    2,
    (args) => arithmeticType(args[0] ?? DOUBLE, args[1] ?? DOUBLE),
    (a) => {
      const d = toNumber(a[1]);
      return d === 0 ? null : toNumber(a[0]) % d;
    },
  ),
  POWER: fn(2, 2, DOUBLE, (a) => toNumber(a[0]) ** toNumber(a[1])),
  SQRT: fn(1, 1, DOUBLE, (a) => {
    const n = toNumber(a[0]);
    return n < 0 ? null : Math.sqrt(n);
  }),
  COALESCE: fn(
    1,
    Infinity,
    firstType,
    (a) => a.find((v) => v !== null && v !== undefined) ?? null,
    true,
  ),
  IFNULL: fn(2, 2, firstType, (a) => a[0] ?? a[1] ?? null, true),
  NULLIF: fn(
    2,
    2,
    sameAsFirst,
    (a) => (sqlEquals(a[0], a[1]) === true ? null : (a[0] ?? null)),
    true,
  ),
  UUID: fn(0, 0, STRING, () => randomUUID()),
  NOW: fn(0, 0, TIMESTAMP, now),
  CURRENT_TIMESTAMP: fn(0, 0, TIMESTAMP, now),
  CURRENT_DATE: fn(0, 0, { kind: 'date' }, () => dateText(partsOf(Date.now(), undefined))),
  FROM_UNIXTIME: {
    minArgs: 1,
    maxArgs: 3,
    type: () => STRING,
    check(literals) {
      if (typeof literals[1] === 'string') compilePattern(literals[1]);
      if (typeof literals[2] === 'string') partsOf(0, literals[2]);
    },
    make() {
      const format = lastOf(patternFormatter);
      return (a) => {
        const parts = partsOf(toNumber(a[0]) * 1000, a.length > 2 ? text(a[2]) : undefined);
        return format(a.length > 1 ? text(a[1]) : 'yyyy-MM-dd HH:mm:ss')(parts);
      };
    },
  },
  DATEDIFF: fn(2, 3, BIGINT, (a) => {
    const unit = a.length > 2 ? text(a[0]).toUpperCase() : 'DAY';
    const [start, end] = a.length > 2 ? [a[1], a[2]] : [a[0], a[1]];
    return dateDiff(unit, toDateTime(start, 'DATEDIFF'), toDateTime(end, 'DATEDIFF'));
  }),
  FORMATDATETIME: {
    minArgs: 2,
    maxArgs: 2,
    type: () => STRING,
    check(literals) {
      if (typeof literals[1] === 'string') compilePattern(literals[1]);
    },
    make() {
      const format = lastOf(patternFormatter);
      return (a) => format(text(a[1]))(toDateTime(a[0], 'FORMATDATETIME'));
    },
  },
};

/**
 * Java's replacement syntax ($0 the match, $n a group, ${name} a named group, \\ escapes) as a
 * replacer: JS spells the whole match $& and would read `$0` literally.
 */
export function javaReplacement(
  replacement: string,
): (match: string, ...rest: unknown[]) => string {
  const pieces: Array<string | number> = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i] as string;
    if (c === '\\' && i + 1 < replacement.length) {
      literal += replacement[++i];
    } else if (c === '$') {
      const named = /^\{(\w+)\}/.exec(replacement.slice(i + 1));
      const digits = /^\d+/.exec(replacement.slice(i + 1));
      if (named) {
        pieces.push(literal, `name:${named[1]}`);
        i += named[0].length;
      } else if (digits) {
        pieces.push(literal, Number(digits[0]));
        i += digits[0].length;
      } else {
        throw new Error(`Sql: REGEXP_REPLACE: illegal group reference in "${replacement}"`);
      }
      literal = '';
    } else {
      literal += c;
    }
  }
  pieces.push(literal);
  return (match, ...rest) => {
    // replace() passes the groups, then the offset, the whole text and (with named groups) an object.
    const last = rest.at(-1);
    const groups =
      typeof last === 'object' && last !== null ? (last as Record<string, unknown>) : {};
    const offsetAt = rest.findIndex((r) => typeof r === 'number');
    const captures = rest.slice(0, offsetAt);
    let out = '';
    for (const [i, piece] of pieces.entries()) {
      // Even places hold literal text, odd places group references.
      if (i % 2 === 0) {
        out += piece as string;
      } else if (typeof piece === 'number') {
        out += piece === 0 ? match : toText(captures[piece - 1] ?? '');
      } else {
        out += toText(groups[piece.slice(5)] ?? '');
      }
    }
    return out;
  };
}

function patternFormatter(pattern: string): (p: DateTimeParts) => string {
  try {
    return compilePattern(pattern);
  } catch (err) {
    throw new Error(`Sql: ${(err as Error).message}`, { cause: err });
  }
}
