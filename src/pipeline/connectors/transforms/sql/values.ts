// How the Sql transform treats values: numbers, text and comparisons with SQL's rules for null, and
// the types arithmetic results take.
import { INTEGER_KINDS, NUMERIC_KINDS, type DataType } from '../../../data-type.ts';

export function isIntegral(type: DataType): boolean {
  return INTEGER_KINDS.has(type.kind);
}

export function isNumeric(type: DataType): boolean {
  return NUMERIC_KINDS.has(type.kind);
}

/** The type of `a op b` for + - * / %: integers stay integers (bigint if either is), anything else is double. */
export function arithmeticType(a: DataType, b: DataType): DataType {
  if (a.kind === 'null') return b.kind === 'null' ? { kind: 'int' } : b;
  if (b.kind === 'null') return a;
  if (isIntegral(a) && isIntegral(b)) {
    return { kind: a.kind === 'bigint' || b.kind === 'bigint' ? 'bigint' : 'int' };
  }
  return { kind: 'double' };
}

/** A number from a number, a bigint, a boolean or numeric text (decimals are carried as text). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (!Number.isNaN(n)) return n;
  }
  throw new Error(`Sql: ${JSON.stringify(value)} is not a number`);
}

export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(toText).join(', ')}]`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function isNumberLike(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint';
}

/**
 * Orders two non-null values: numerically when either is a number (text converted), else as text.
 * Booleans compare as false < true.
 */
export function compare(a: unknown, b: unknown): number {
  if (isNumberLike(a) || isNumberLike(b)) {
    const x = toNumber(a);
    const y = toNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = toText(a);
  const y = toText(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** SQL equality: null when either side is null. */
export function sqlEquals(a: unknown, b: unknown): boolean | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  return compare(a, b) === 0;
}

/** A LIKE pattern as a regular expression: % any run, _ one character. */
export function likeRegExp(pattern: string): RegExp {
  let source = '';
  for (const c of pattern) {
    if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** A one-entry cache: patterns are almost always constants, so each is compiled once. */
export function lastOf<K, V>(make: (key: K) => V): (key: K) => V {
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  let filled = false;
  return (key) => {
    if (!filled || key !== lastKey) {
      lastValue = make(key);
      lastKey = key;
      filled = true;
    }
    return lastValue as V;
  };
}
