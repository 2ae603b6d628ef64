// SQL column types to SeaTunnel's data types (SQLite declared types, PostgreSQL type OIDs), and values
// on their way in and out: decimals as strings, dates and timestamps as ISO text, blobs as bytes.
import type { DataType } from '../../data-type.ts';

const DEFAULT_DECIMAL: DataType = { kind: 'decimal', precision: 38, scale: 18 };

/**
 * A SQLite column by its declared type, following SQLite's affinity rules; an expression has none,
 * so its first value (`sample`) decides.
 */
export function sqliteType(declared: string | null, sample: unknown): DataType {
  if (declared === null || declared.trim() === '') return typeOfValue(sample);
  const t = declared.toUpperCase();
  if (/BOOL/.test(t)) return { kind: 'boolean' };
  if (/BIGINT|INT8|UNSIGNED BIG INT/.test(t)) return { kind: 'bigint' };
  if (/TINYINT/.test(t)) return { kind: 'tinyint' };
  if (/SMALLINT|INT2/.test(t)) return { kind: 'smallint' };
  if (/INT/.test(t)) return { kind: 'int' };
  if (/CHAR|CLOB|TEXT/.test(t)) return { kind: 'string' };
  if (/BLOB|BINARY/.test(t)) return { kind: 'bytes' };
  if (/REAL|FLOA|DOUB/.test(t)) return { kind: 'double' };
  if (/TIMESTAMP|DATETIME/.test(t)) return { kind: 'timestamp' };
  if (/DATE/.test(t)) return { kind: 'date' };
  if (/TIME/.test(t)) return { kind: 'time' };
  if (/DECIMAL|NUMERIC/.test(t)) return decimalOf(/\((\d+)\s*(?:,\s*(\d+))?\)/.exec(t));
  return { kind: 'string' };
}

function typeOfValue(value: unknown): DataType {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { kind: 'bigint' } : { kind: 'double' };
  }
  if (typeof value === 'bigint') return { kind: 'bigint' };
  if (value instanceof Uint8Array) return { kind: 'bytes' };
  return { kind: 'string' };
}

function decimalOf(m: RegExpExecArray | null): DataType {
  if (!m) return DEFAULT_DECIMAL;
  const precision = Math.min(38, Math.max(1, Number(m[1])));
  const scale = Math.min(precision, Number(m[2] ?? 0));
  return { kind: 'decimal', precision, scale };
}

/** A value read from SQLite, as the column's data type wants it. */
export function fromSqlite(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'number' || typeof value === 'bigint' ? Number(value) !== 0 : value;
    case 'decimal':
      return String(value);
    case 'string':
      return typeof value === 'string' || value instanceof Uint8Array ? value : String(value);
    case 'timestamp':
      return typeof value === 'string' ? isoTimestamp(value) : value;
    default:
      return value;
  }
}

/** `2024-01-02 03:04:05` → `2024-01-02T03:04:05` (SQLite's and PostgreSQL's text → ISO 8601). */
export function isoTimestamp(text: string): string {
  return /^\d{4}-\d\d-\d\d \d/.test(text) ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
}

/** A value bound into a SQLite statement: what node:sqlite cannot bind becomes a number or text. */
export function toSqlite(value: unknown): null | number | bigint | string | Uint8Array {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** A value bound into a PostgreSQL statement (pg writes arrays as arrays, objects as JSON). */
export function toPostgres(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date)
  ) {
    if (!Buffer.isBuffer(value)) return JSON.stringify(value);
  }
  return value;
}

/** PostgreSQL type OIDs (pg_type.oid) bosun maps; anything else is read as its text. */
export const PG_OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
  boolArray: 1000,
  int2Array: 1005,
  int4Array: 1007,
  textArray: 1009,
  varcharArray: 1015,
  int8Array: 1016,
  float4Array: 1021,
  float8Array: 1022,
} as const;

export function postgresType(oid: number, typmod: number): DataType {
  switch (oid) {
    case PG_OID.bool:
      return { kind: 'boolean' };
    case PG_OID.bytea:
      return { kind: 'bytes' };
    case PG_OID.int8:
      return { kind: 'bigint' };
    case PG_OID.int2:
      return { kind: 'smallint' };
    case PG_OID.int4:
    case PG_OID.oid:
      return { kind: 'int' };
    case PG_OID.float4:
      return { kind: 'float' };
    case PG_OID.float8:
      return { kind: 'double' };
    case PG_OID.date:
      return { kind: 'date' };
    case PG_OID.time:
      return { kind: 'time' };
    case PG_OID.timestamp:
    case PG_OID.timestamptz:
      return { kind: 'timestamp' };
    case PG_OID.numeric: {
      // typmod = ((precision << 16) | scale) + 4, or -1 for an unconstrained numeric.
      if (typmod < 4) return DEFAULT_DECIMAL;
      const precision = Math.min(38, ((typmod - 4) >> 16) & 0xffff);
      const scale = Math.min(precision, (typmod - 4) & 0xffff);
      return { kind: 'decimal', precision, scale };
    }
    case PG_OID.boolArray:
      return { kind: 'array', element: { kind: 'boolean' } };
    case PG_OID.int2Array:
      return { kind: 'array', element: { kind: 'smallint' } };
    case PG_OID.int4Array:
      return { kind: 'array', element: { kind: 'int' } };
    case PG_OID.int8Array:
      return { kind: 'array', element: { kind: 'bigint' } };
    case PG_OID.float4Array:
      return { kind: 'array', element: { kind: 'float' } };
    case PG_OID.float8Array:
      return { kind: 'array', element: { kind: 'double' } };
    case PG_OID.textArray:
    case PG_OID.varcharArray:
      return { kind: 'array', element: { kind: 'string' } };
    default:
      return { kind: 'string' };
  }
}

/** An int8 as a number while it is exact, else its text (JSON-able either way, unlike a BigInt). */
export function int8Value(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** A timestamptz read in a UTC session (`2024-01-02 03:04:05.5+00`) as ISO 8601 (`…05.5Z`). */
export function isoTimestamptz(text: string): string {
  return isoTimestamp(text).replace(/\+00(?::00)?$/, 'Z');
}
