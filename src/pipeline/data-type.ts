// SeaTunnel's data types (specs/seatunnel.md §5, Schema): parsed from their config spelling
// (`decimal(30, 8)`, `array<int>`, `map<string, array<int>>`, a nested `{ x = int }` row), printed back
// the same way, and sized as SeaTunnel counts bytes for its metrics.
import type { AgentError } from '../errors.ts';
import { configError } from './config-error.ts';

export type DataType =
  | { kind: 'string' | 'boolean' | 'tinyint' | 'smallint' | 'int' | 'bigint' | 'float' | 'double' }
  | { kind: 'null' | 'bytes' | 'date' | 'time' | 'timestamp' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'array'; element: DataType }
  | { kind: 'map'; key: DataType; value: DataType }
  | { kind: 'row'; fields: Field[] };

export interface Field {
  readonly name: string;
  readonly type: DataType;
}

/** The kind of change a row carries (SeaTunnel's RowKind). */
export const ROW_KINDS = ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

const SIMPLE = new Set([
  'string',
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'float',
  'double',
  'null',
  'bytes',
  'date',
  'time',
  'timestamp',
]);
/** Whole-number kinds, and every kind of number (decimal included). */
export const INTEGER_KINDS: ReadonlySet<string> = new Set(['tinyint', 'smallint', 'int', 'bigint']);
export const NUMERIC_KINDS: ReadonlySet<string> = new Set([
  ...INTEGER_KINDS,
  'float',
  'double',
  'decimal',
]);

/** Spellings SeaTunnel accepts for the same types. */
const ALIASES: Record<string, string> = {
  integer: 'int',
  long: 'bigint',
  short: 'smallint',
  byte: 'tinyint',
};

/**
 * A type from its config form: a string such as `decimal(30, 8)` or `map<string, array<int>>`, or an
 * object of fields for a nested row.
 */
export function parseDataType(spec: unknown): DataType {
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    return { kind: 'row', fields: parseFields(spec as Record<string, unknown>) };
  }
  if (typeof spec !== 'string') {
    throw configError(
      `a type must be a name such as "string" or "decimal(10, 2)", not ${JSON.stringify(spec)}`,
    );
  }
  const parser = { text: spec, pos: 0 };
  const type = readType(parser);
  skipSpaces(parser);
  if (parser.pos < spec.length) throw unknownType(spec);
  return type;
}

/** `{ name = string, age = int }` → fields in the written order. */
export function parseFields(fields: Record<string, unknown>): Field[] {
  return Object.entries(fields).map(([name, type]) => {
    try {
      return { name, type: parseDataType(type) };
    } catch (err) {
      throw configError(`field "${name}": ${(err as Error).message}`);
    }
  });
}

export function formatDataType(type: DataType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision}, ${type.scale})`;
    case 'array':
      return `array<${formatDataType(type.element)}>`;
    case 'map':
      return `map<${formatDataType(type.key)}, ${formatDataType(type.value)}>`;
    case 'row':
      return `row<${type.fields.map((f) => `${f.name} ${formatDataType(f.type)}`).join(', ')}>`;
    default:
      return type.kind;
  }
}

/**
 * SeaTunnel's byte count of one value (SeaTunnelRow.getBytesForValue), which its Bytes metrics sum:
 * string length, boolean/tinyint 1, smallint 2, int/float 4, bigint/double 8, decimal 36, date 24,
 * time 12, timestamp 48, bytes their length, null 0; lists, maps and rows the sum of their parts.
 */
export function bytesOf(type: DataType, value: unknown): number {
  if (value === null || value === undefined) return 0;
  switch (type.kind) {
    case 'string':
      return String(value).length;
    case 'boolean':
    case 'tinyint':
      return 1;
    case 'smallint':
      return 2;
    case 'int':
    case 'float':
      return 4;
    case 'bigint':
    case 'double':
      return 8;
    case 'decimal':
      return 36;
    case 'date':
      return 24;
    case 'time':
      return 12;
    case 'timestamp':
      return 48;
    case 'bytes':
      return (value as Uint8Array).length ?? 0;
    case 'null':
      return 0;
    case 'array':
      return (value as unknown[]).reduce<number>((sum, v) => sum + bytesOf(type.element, v), 0);
    case 'map':
      return Object.entries(value as Record<string, unknown>).reduce(
        (sum, [k, v]) => sum + bytesOf(type.key, k) + bytesOf(type.value, v),
        0,
      );
    case 'row':
      return bytesOfRow(type.fields, value as unknown[]);
  }
}

export function bytesOfRow(fields: readonly Field[], values: readonly unknown[]): number {
  let sum = 0;
  for (let i = 0; i < fields.length; i++) sum += bytesOf((fields[i] as Field).type, values[i]);
  return sum;
}

interface Parser {
  text: string;
  pos: number;
}

function skipSpaces(p: Parser): void {
  while (p.text[p.pos] === ' ') p.pos += 1;
}

function readWord(p: Parser): string {
  skipSpaces(p);
  const m = /^[A-Za-z_][\w]*/.exec(p.text.slice(p.pos));
  if (!m) throw unknownType(p.text);
  p.pos += m[0].length;
  return m[0].toLowerCase();
}

function expect(p: Parser, c: string): void {
  skipSpaces(p);
  if (p.text[p.pos] !== c) throw unknownType(p.text);
  p.pos += 1;
}

function readType(p: Parser): DataType {
  const raw = readWord(p);
  const word = ALIASES[raw] ?? raw;
  if (word === 'decimal') {
    skipSpaces(p);
    if (p.text[p.pos] !== '(') return { kind: 'decimal', precision: 38, scale: 18 };
    p.pos += 1;
    const precision = readInt(p);
    expect(p, ',');
    const scale = readInt(p);
    expect(p, ')');
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
      throw configError(
        `decimal(${precision}, ${scale}) is out of range: precision 1 to 38, scale 0 to the precision`,
      );
    }
    return { kind: 'decimal', precision, scale };
  }
  if (word === 'array') {
    expect(p, '<');
    const element = readType(p);
    expect(p, '>');
    return { kind: 'array', element };
  }
  if (word === 'map') {
    expect(p, '<');
    const key = readType(p);
    expect(p, ',');
    const value = readType(p);
    expect(p, '>');
    return { kind: 'map', key, value };
  }
  if (SIMPLE.has(word)) return { kind: word } as DataType;
  throw unknownType(p.text);
}

function readInt(p: Parser): number {
  skipSpaces(p);
  const m = /^\d+/.exec(p.text.slice(p.pos));
  if (!m) throw unknownType(p.text);
  p.pos += m[0].length;
  return Number(m[0]);
}

function unknownType(text: string): AgentError {
  return configError(
    `unknown type "${text}": use string, boolean, tinyint, smallint, int, bigint, float, double, ` +
      'decimal(p, s), null, bytes, date, time, timestamp, array<T>, map<K, V> or a { field = type } row',
  );
}
