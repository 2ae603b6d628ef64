// The Jdbc source (specs/seatunnel.md §5) for SQLite and PostgreSQL: `query` or `table_path` (+
// `where_condition`), the schema taken from the result's columns, read `fetch_size` rows at a time.
// With `partition_column` the rows are cut into `partition_num` ranges of that column (bounds queried
// when not given), one split each; otherwise one split.
//
// A split's position is the number of rows it has handed on. A restored reader runs the split's query
// again and skips that many rows, which is only right when the query returns rows in the same order:
// the query is ordered by the table's primary key (table_path) or else by the partition column; a
// `query` with neither should carry its own ORDER BY (ties in the partition column are the user's to
// break). Queried partition bounds are taken again by a restored run: set the bounds explicitly for
// a table that changes while a job is paused.
import { INTEGER_KINDS, NUMERIC_KINDS, type DataType } from '../../data-type.ts';
import {
  optionReader,
  type Row,
  type SourceFactory,
  type Split,
  type SplitReader,
} from '../connector.ts';
import { createDriver } from '../jdbc/create-driver.ts';
import {
  quoteIdent,
  quoteTablePath,
  type JdbcConnection,
  type JdbcCursor,
} from '../jdbc/driver.ts';
import { readJdbcTarget } from '../jdbc/jdbc-url.ts';
import { configError } from '../../config-error.ts';

const PLUGIN = 'Jdbc';

interface JdbcSplit extends Split {
  /** The split's SELECT, range and order included. */
  readonly sql: string;
}

export const jdbcSource: SourceFactory = {
  role: 'source',
  name: PLUGIN,
  async create(ctx) {
    const options = optionReader(ctx);
    const driver = createDriver(readJdbcTarget(options, PLUGIN));
    const query = options.has('query') ? stripSemicolon(options.string('query')) : undefined;
    const tablePath = options.has('table_path') ? options.string('table_path') : undefined;
    if ((query === undefined) === (tablePath === undefined)) {
      throw configError(
        `${PLUGIN}: set exactly one of 'query' (a SELECT) or 'table_path' (a table, schema.table for PostgreSQL)`,
      );
    }
    const table = tablePath === undefined ? undefined : quoteTable(tablePath);
    const where = whereCondition(options.string('where_condition', ''));
    const fetchSize = options.int('fetch_size', 1024, 1);
    const partitionColumn = options.has('partition_column')
      ? options.string('partition_column')
      : undefined;
    const lower = optionalNumber(options, 'partition_lower_bound');
    const upper = optionalNumber(options, 'partition_upper_bound');
    const partitionNum = options.has('partition_num')
      ? options.int('partition_num', 1, 1)
      : undefined;
    if (lower !== undefined && upper !== undefined && lower > upper) {
      throw configError(
        `${PLUGIN}: partition_lower_bound (${lower}) is above partition_upper_bound (${upper})`,
      );
    }

    // Without a filter, a query runs as written, so its own ORDER BY holds.
    const from = table ?? `(${query}) AS bosun_query`;
    const select = (conditions: string[], orderBy: string[]): string =>
      conditions.length === 0 && orderBy.length === 0 && query !== undefined
        ? query
        : `SELECT * FROM ${from}` +
          (conditions.length > 0 ? ` WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '') +
          (orderBy.length > 0 ? ` ORDER BY ${orderBy.join(', ')}` : '');
    const base = select(where === undefined ? [] : [where], []);
    const quotedColumn = partitionColumn === undefined ? undefined : quoteIdent(partitionColumn);
    const needBounds = quotedColumn !== undefined && (lower === undefined || upper === undefined);
    const description = await driver.describe({
      sql: base,
      ...(table === undefined ? {} : { table }),
      ...(needBounds ? { boundsOf: partitionColumn } : {}),
    });
    const fields = description.columns;
    const types: DataType[] = fields.map((f) => f.type);

    if (partitionColumn !== undefined) {
      const column = fields.find((f) => f.name === partitionColumn);
      if (column === undefined) {
        throw configError(
          `${PLUGIN}: partition_column "${partitionColumn}" is not a column of the ${tablePath === undefined ? 'query' : `table ${tablePath}`}; the columns are ${fields.map((f) => f.name).join(', ')}`,
        );
      }
      if (!NUMERIC_KINDS.has(column.type.kind)) {
        throw configError(
          `${PLUGIN}: partition_column "${partitionColumn}" must be a numeric column, not ${column.type.kind}`,
        );
      }
    }
    const orderBy =
      description.primaryKey.length > 0
        ? description.primaryKey.map(quoteIdent)
        : quotedColumn !== undefined
          ? [quotedColumn]
          : [];
    const integral =
      partitionColumn !== undefined &&
      INTEGER_KINDS.has(fields.find((f) => f.name === partitionColumn)?.type.kind ?? '');
    const rowTable = ctx.plugin.output ?? 'default-identifier';

    return {
      fields,
      // A table read ends, in STREAMING jobs too (SeaTunnel's Jdbc source is bounded).
      bounded: true,
      splits(parallelism) {
        const conditions = where === undefined ? [] : [where];
        if (quotedColumn === undefined) {
          return [{ id: 'jdbc-0', sql: select(conditions, orderBy) } satisfies JdbcSplit];
        }
        const ranges = partitionRanges({
          column: quotedColumn,
          lower: lower ?? description.bounds?.min ?? null,
          upper: upper ?? description.bounds?.max ?? null,
          lowerGiven: lower !== undefined,
          upperGiven: upper !== undefined,
          count: partitionNum ?? parallelism,
          integral,
        });
        return ranges.map((range, i): JdbcSplit => ({
          id: `jdbc-${i}`,
          sql: select(range === undefined ? conditions : [...conditions, range], orderBy),
        }));
      },
      reader(split, position): SplitReader {
        const sql = (split as JdbcSplit).sql;
        let consumed = typeof position === 'number' && position > 0 ? position : 0;
        let connection: JdbcConnection | undefined;
        let cursor: JdbcCursor | undefined;
        let finished = false;
        let watching = false;
        const release = async (): Promise<void> => {
          finished = true;
          const c = cursor;
          const conn = connection;
          cursor = undefined;
          connection = undefined;
          await c?.close().catch(() => {});
          await conn?.close();
        };
        return {
          async next(signal) {
            if (finished) return null;
            if (!watching) {
              watching = true;
              // A canceled, failed or stopped run stops calling next(): let go of the connection then.
              signal.addEventListener('abort', () => void release(), { once: true });
            }
            try {
              if (cursor === undefined) {
                connection = await driver.connect({ readOnly: true });
                cursor = await connection.read(sql, types, fetchSize, consumed);
              }
              const batch = await cursor.next();
              if (batch === null) {
                await release();
                return null;
              }
              consumed += batch.length;
              return batch.map((values): Row => ({ kind: 'INSERT', table: rowTable, values }));
            } catch (err) {
              await release();
              throw err;
            }
          },
          position: () => consumed,
        };
      },
    };
  },
};

/**
 * The WHERE conditions of `count` ranges of a numeric column between `lower` and `upper`. A bound that
 * was queried rather than given is left open, so rows outside it (and NULLs, in the first range) are
 * still read once; an empty table gives one unbounded range.
 */
export function partitionRanges(p: {
  column: string;
  lower: number | null;
  upper: number | null;
  lowerGiven: boolean;
  upperGiven: boolean;
  count: number;
  integral: boolean;
}): Array<string | undefined> {
  if (p.lower === null || p.upper === null) return [undefined];
  const { lower, upper, column } = p;
  const span = p.integral ? upper - lower + 1 : upper - lower;
  const cuts: number[] = [];
  for (let i = 1; i < p.count; i++) {
    const cut = p.integral
      ? lower + Math.floor((i * span) / p.count)
      : lower + (i * span) / p.count;
    if (cut > (cuts.at(-1) ?? lower)) cuts.push(cut);
  }
  const starts = [lower, ...cuts];
  return starts.map((start, i) => {
    const first = i === 0;
    const last = i === starts.length - 1;
    const parts: string[] = [];
    if (!first || p.lowerGiven) parts.push(`${column} >= ${literal(start)}`);
    if (!last) parts.push(`${column} < ${literal(cuts[i] as number)}`);
    else if (p.upperGiven) parts.push(`${column} <= ${literal(upper)}`);
    const range = parts.length > 0 ? parts.join(' AND ') : `${column} IS NOT NULL`;
    return first && !p.lowerGiven ? `${range} OR ${column} IS NULL` : range;
  });
}

function literal(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(0) : String(n);
}

function quoteTable(path: string): string {
  try {
    return quoteTablePath(path);
  } catch (err) {
    throw configError(`${PLUGIN}: table_path ${(err as Error).message}`);
  }
}

/** SeaTunnel writes `where_condition` with its WHERE (`where id > 100`); bosun takes it either way. */
function whereCondition(text: string): string | undefined {
  const condition = text.trim().replace(/^where\s+/i, '');
  return condition === '' ? undefined : condition;
}

function stripSemicolon(sql: string): string {
  return sql.trim().replace(/;+\s*$/, '');
}

function optionalNumber(
  options: ReturnType<typeof optionReader>,
  name: string,
): number | undefined {
  const raw = options.raw(name);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'string' ? Number(raw.trim()) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw configError(`${PLUGIN}: option '${name}' must be a number, not ${JSON.stringify(raw)}`);
  }
  return n;
}
