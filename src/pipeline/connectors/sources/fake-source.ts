// FakeSource (specs/seatunnel.md §5): rows of a schema, random or from `rows`, `row.num` per parallel
// reader cut into `split.num` splits; after each split it waits `split.read-interval` ms (by default
// one second, SeaTunnel's pacing, so a small BATCH job is still RUNNING right after it is submitted).
// BATCH ends when the splits are done; STREAMING idles until stopped.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseFields,
  ROW_KINDS,
  type DataType,
  type Field,
  type RowKind,
} from '../../data-type.ts';
import {
  optionReader,
  type Row,
  type SourceFactory,
  type Split,
  type SplitReader,
} from '../connector.ts';
import { pad } from '../../../units/display.ts';
import { configError } from '../../config-error.ts';

/** Rows generated per next(): big enough to amortise the engine's per-batch work, small enough to stay light. */
const BATCH_ROWS = 1024;
/** Fewer rows per batch when rows are big, so a batch stays about this size. */
const BATCH_BYTES = 4 << 20;
/** The sizes multiply through nested types (array<array<string>>): a row past this is refused. */
const MAX_ROW_BYTES = 16 << 20;
const DEFAULT_SPLIT_INTERVAL_MS = 1000;

interface FakeSplit extends Split {
  readonly rows: number;
}

export const fakeSource = {
  role: 'source',
  name: 'FakeSource',
  create(ctx) {
    const options = optionReader(ctx);
    const schema = options.raw('schema') as { fields?: unknown } | undefined;
    if (
      typeof schema !== 'object' ||
      schema === null ||
      typeof schema.fields !== 'object' ||
      schema.fields === null
    ) {
      throw configError(
        `Schema config need option [schema], please correct your config first (FakeSource: e.g. schema = { fields { name = string, age = int } })`,
      );
    }
    let fields: Field[];
    try {
      fields = parseFields(schema.fields as Record<string, unknown>);
    } catch (err) {
      throw configError(`FakeSource: schema: ${(err as Error).message}`);
    }
    const rowNum = options.int('row.num', 5, 0);
    const splitNum = options.int('split.num', 1, 1);
    const interval = options.int('split.read-interval', DEFAULT_SPLIT_INTERVAL_MS, 0);
    const fixed = readFixedRows(options.raw('rows'), fields);
    const rowBytes = estimateRowBytes(fields, options);
    if (rowBytes > MAX_ROW_BYTES) {
      throw configError(
        `FakeSource: one row of this schema would hold about ${Math.ceil(rowBytes / 2 ** 20)} MiB (string.length, bytes.length, array.size and map.size multiply through nested types); at most ${MAX_ROW_BYTES / 2 ** 20} MiB: lower those sizes`,
      );
    }
    const batchRows = Math.max(1, Math.min(BATCH_ROWS, Math.floor(BATCH_BYTES / rowBytes)));
    const compile = valueGenerator(options);
    const makers = fields.map((field) => compile(field.type));
    const randomValues = (): unknown[] => {
      const values = new Array<unknown>(makers.length);
      for (let i = 0; i < makers.length; i++) values[i] = (makers[i] as () => unknown)();
      return values;
    };
    const table = ctx.plugin.output ?? 'default-identifier';

    return {
      fields,
      bounded: ctx.env.mode === 'BATCH',
      splits(parallelism) {
        // split.num splits per reader, each ceil(row.num / split.num) rows (SeaTunnel's enumerator);
        // ordered so that split i belongs to reader i % parallelism.
        const chunk = Math.ceil(rowNum / splitNum);
        const out: FakeSplit[] = [];
        for (let s = 0; s < splitNum; s++) {
          for (let r = 0; r < parallelism; r++) {
            const rows = fixed ? fixed.length : Math.max(0, Math.min(chunk, rowNum - s * chunk));
            out.push({ id: `${r}-${s}`, rows });
          }
        }
        return out;
      },
      reader(split, position): SplitReader {
        const total = (split as FakeSplit).rows;
        let emitted = typeof position === 'number' ? position : 0;
        let paused = false;
        return {
          async next(signal) {
            if (emitted < total) {
              const count = Math.min(batchRows, total - emitted);
              const rows: Row[] = new Array(count);
              for (let i = 0; i < count; i++) {
                const f = fixed?.[emitted + i];
                rows[i] = f
                  ? { kind: f.kind, table, values: f.values }
                  : { kind: 'INSERT', table, values: randomValues() };
              }
              emitted += count;
              return rows;
            }
            if (!paused && interval > 0) {
              paused = true;
              await sleep(interval, undefined, { signal }).catch(() => {});
            }
            return null;
          },
          position: () => emitted,
        };
      },
    };
  },
} satisfies SourceFactory;

function readFixedRows(
  value: unknown,
  fields: Field[],
): Array<{ kind: RowKind; values: unknown[] }> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw configError(
      `FakeSource: option 'rows' must be a list like [{kind = INSERT, fields = [1, "a"]}]`,
    );
  }
  return value.map((entry, i) => {
    const row = entry as { kind?: unknown; fields?: unknown };
    const kind = String(row.kind ?? 'INSERT').toUpperCase() as RowKind;
    if (!ROW_KINDS.includes(kind)) {
      throw configError(`FakeSource: rows[${i}].kind must be one of ${ROW_KINDS.join(', ')}`);
    }
    if (!Array.isArray(row.fields) || row.fields.length !== fields.length) {
      throw configError(
        `FakeSource: rows[${i}].fields must be a list of ${fields.length} values (${fields.map((f) => f.name).join(', ')})`,
      );
    }
    return { kind, values: row.fields as unknown[] };
  });
}

/** Roughly the memory of one generated row, from the schema and the size options. */
function estimateRowBytes(fields: readonly Field[], options: ReturnType<typeof optionReader>) {
  const size = (name: string) => options.int(name, 5, 0);
  const [text, bytes, array, map] = ['string.length', 'bytes.length', 'array.size', 'map.size'].map(
    size,
  ) as [number, number, number, number];
  const VALUE = 16;
  const of = (type: DataType): number => {
    switch (type.kind) {
      case 'string':
        return VALUE + text;
      case 'bytes':
        return VALUE + bytes;
      case 'array':
        return VALUE + array * of(type.element);
      case 'map':
        return VALUE + map * (of(type.key) + of(type.value));
      case 'row':
        return VALUE + type.fields.reduce((sum, f) => sum + of(f.type), 0);
      default:
        return VALUE;
    }
  };
  return fields.reduce((sum, f) => sum + of(f.type), VALUE);
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const NUMERIC_MAX: Record<string, number> = {
  tinyint: 127,
  smallint: 32_767,
  int: 2_147_483_647,
  bigint: Number.MAX_SAFE_INTEGER,
  float: 1e6,
  double: 1e9,
};

/** Random values by type, with the `<type>.min|max|template` and size options of SeaTunnel's FakeSource. */
function valueGenerator(
  options: ReturnType<typeof optionReader>,
): (type: DataType) => () => unknown {
  const size = (name: string) => options.int(name, 5, 0);
  const stringLength = size('string.length');
  const arraySize = size('array.size');
  const mapSize = size('map.size');
  const bytesLength = size('bytes.length');
  const templates = new Map<string, unknown[]>();
  const ranges = new Map<string, [number, number]>();
  for (const kind of ['string', 'tinyint', 'smallint', 'int', 'bigint', 'float', 'double']) {
    const template = options.raw(`${kind}.template`);
    if (template !== undefined) {
      if (!Array.isArray(template) || template.length === 0) {
        throw configError(
          `FakeSource: option '${kind}.template' must be a non-empty list of values`,
        );
      }
      templates.set(kind, template);
    }
    if (kind !== 'string' && (options.has(`${kind}.min`) || options.has(`${kind}.max`))) {
      const min = Number(options.raw(`${kind}.min`) ?? 0);
      const max = Number(options.raw(`${kind}.max`) ?? NUMERIC_MAX[kind]);
      if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
        throw configError(`FakeSource: '${kind}.min' must be a number not above '${kind}.max'`);
      }
      ranges.set(kind, [min, max]);
    }
  }
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

  const generate = (type: DataType): unknown => {
    const template = templates.get(type.kind);
    if (template) return pick(template);
    switch (type.kind) {
      case 'string': {
        let s = '';
        for (let i = 0; i < stringLength; i++) {
          s += LETTERS[Math.floor(Math.random() * LETTERS.length)];
        }
        return s;
      }
      case 'boolean':
        return Math.random() < 0.5;
      case 'tinyint':
      case 'smallint':
      case 'int':
      case 'bigint': {
        const [lo, hi] = ranges.get(type.kind) ?? [0, NUMERIC_MAX[type.kind] as number];
        return int(lo, hi);
      }
      case 'float':
      case 'double': {
        const [lo, hi] = ranges.get(type.kind) ?? [0, NUMERIC_MAX[type.kind] as number];
        return lo + Math.random() * (hi - lo);
      }
      case 'decimal': {
        const whole = int(0, 10 ** Math.min(9, type.precision - type.scale) - 1);
        const frac =
          type.scale === 0
            ? ''
            : `.${String(int(0, 10 ** Math.min(9, type.scale) - 1)).padStart(Math.min(9, type.scale), '0')}`;
        return `${whole}${frac}`;
      }
      case 'null':
        return null;
      case 'bytes': {
        const bytes = new Uint8Array(bytesLength);
        for (let i = 0; i < bytesLength; i++) bytes[i] = int(0, 255);
        return bytes;
      }
      case 'date':
        return `${int(2000, 2030)}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
      case 'time':
        return `${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}`;
      case 'timestamp':
        return `${int(2000, 2030)}-${pad(int(1, 12))}-${pad(int(1, 28))}T${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}`;
      case 'array':
        return Array.from({ length: arraySize }, () => generate(type.element));
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < mapSize; i++) out[String(generate(type.key))] = generate(type.value);
        return out;
      }
      case 'row':
        return type.fields.map((f) => generate(f.type));
    }
  };
  // The common scalar columns get a closure of their own, chosen once: the per-row work is the
  // random value only (FakeSource feeds the throughput benchmark).
  return (type: DataType): (() => unknown) => {
    if (templates.has(type.kind)) return () => generate(type);
    switch (type.kind) {
      case 'string':
        return () => {
          let text = '';
          for (let i = 0; i < stringLength; i++) {
            text += LETTERS[Math.floor(Math.random() * LETTERS.length)];
          }
          return text;
        };
      case 'tinyint':
      case 'smallint':
      case 'int':
      case 'bigint': {
        const [lo, hi] = ranges.get(type.kind) ?? [0, NUMERIC_MAX[type.kind] as number];
        return () => int(lo, hi);
      }
      case 'float':
      case 'double': {
        const [lo, hi] = ranges.get(type.kind) ?? [0, NUMERIC_MAX[type.kind] as number];
        return () => lo + Math.random() * (hi - lo);
      }
      default:
        return () => generate(type);
    }
  };
}
