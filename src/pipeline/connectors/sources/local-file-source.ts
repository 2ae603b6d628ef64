// The LocalFile source (specs/seatunnel.md §5): text, csv or json-lines files from a file or a
// directory (read recursively, by name), one split per file, streamed line by line; a split's position
// is the number of lines read, so a restored reader skips them. `k=v` directories in a file's path
// (`parse_partition_from_path`, on by default) add string columns, as SeaTunnel's.
import { statSync, readdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_TABLE } from '../../config/pipeline-config.ts';
import { formatDataType, parseFields, type DataType, type Field } from '../../data-type.ts';
import {
  optionReader,
  type Row,
  type SourceFactory,
  type Split,
  type SplitReader,
} from '../connector.ts';
import { parseCsvRecord, readCsvRecord, stripCr } from '../csv.ts';
import { configError } from '../../config-error.ts';

const FORMATS = ['text', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Rows per next(), as FakeSource: big enough to amortise the engine's per-batch work. */
const BATCH_ROWS = 1024;
const CHUNK_BYTES = 64 * 1024;
const CONTENT: Field = { name: 'content', type: { kind: 'string' } };

interface FileSplit extends Split {
  /** The absolute path of the file. */
  readonly file: string;
}

/**
 * One record (a line, or csv lines joined by an open quote) as row values, null for a line that holds
 * no row; `cells` when the csv cells were already split.
 */
type Decoder = (record: string, line: number, cells?: string[]) => unknown[] | null;

export const localFileSource = {
  role: 'source',
  name: 'LocalFile',
  create(ctx) {
    const where = ctx.plugin.name;
    const options = optionReader(ctx);
    const root = path.resolve(options.string('path'));
    const rawFormat = options.string('file_format_type').toLowerCase();
    if (!(FORMATS as readonly string[]).includes(rawFormat)) {
      throw configError(
        `${where}: option 'file_format_type' ${rawFormat} is not supported by the LocalFile source; use text, csv or json`,
      );
    }
    const format = rawFormat as Format;
    const encoding = options.string('encoding', 'UTF-8');
    if (!/^utf-?8$/i.test(encoding)) {
      throw configError(
        `${where}: option 'encoding' ${encoding} is not supported; bosun reads UTF-8 files only (convert the files, e.g. with iconv)`,
      );
    }
    const codec = options.string('compress_codec', 'none');
    if (codec.toLowerCase() !== 'none') {
      throw configError(
        `${where}: option 'compress_codec' ${codec} is not supported; bosun reads uncompressed files only`,
      );
    }
    const delimiter = options.string('field_delimiter', format === 'csv' ? ',' : '\u0001');
    if (delimiter === '') {
      throw configError(`${where}: option 'field_delimiter' must not be empty`);
    }
    const skipHeader = options.int('skip_header_row_number', 0, 0);
    const filter = filePattern(where, options.raw('file_filter_pattern'));

    const schema = readSchema(where, options.raw('schema'));
    if (!schema && format === 'json') {
      throw configError(
        `Schema config need option [schema], please correct your config first (${where}: json files need a schema, e.g. schema = { fields { name = string, age = int } })`,
      );
    }
    const all = schema ?? [CONTENT];
    const fields = readColumns(where, options.raw('read_columns'), all);
    const indexes = fields.map((f) => all.indexOf(f));
    const { base, files } = listFiles(where, root, filter);
    const table = ctx.plugin.output ?? DEFAULT_TABLE;
    // `k=v` directories become string columns after the others, named from the first file's path.
    const partitionKeys =
      options.boolean('parse_partition_from_path', true) && files[0] !== undefined
        ? [...pathPartitions(path.join(base, files[0])).keys()].filter(
            (k) => !fields.some((f) => f.name === k),
          )
        : [];

    const decoderFor = (file: string): Decoder => {
      const fail = (line: number, field: Field, raw: unknown, err: unknown): never => {
        const why = err instanceof BadValue && err.reason ? ` (${err.reason})` : '';
        throw new Error(
          `${where}: ${file} line ${line}, column "${field.name}": cannot read ${JSON.stringify(raw)} as ${formatDataType(field.type)}${why}`,
        );
      };
      if (!schema) return (record) => [record];
      if (format === 'json') {
        return (record, line) => {
          if (record.trim() === '') return null;
          let doc: unknown;
          try {
            doc = JSON.parse(record);
          } catch (err) {
            throw new Error(`${where}: ${file} line ${line}: not JSON: ${(err as Error).message}`, {
              cause: err,
            });
          }
          if (!isRecord(doc)) {
            throw new Error(`${where}: ${file} line ${line}: expected a JSON object per line`);
          }
          return fields.map((field) => {
            const raw = doc[field.name];
            try {
              return fromJson(field.type, raw);
            } catch (err) {
              return fail(line, field, raw, err);
            }
          });
        };
      }
      return (record, line, split) => {
        const cells =
          split ?? (format === 'csv' ? parseCsvRecord(record, delimiter) : record.split(delimiter));
        if (!cells) throw new Error(`${where}: ${file} line ${line}: a quoted cell is not closed`);
        return fields.map((field, i) => {
          const raw = cells[indexes[i] as number];
          try {
            return raw === undefined ? null : fromText(field.type, raw);
          } catch (err) {
            return fail(line, field, raw, err);
          }
        });
      };
    };

    return {
      fields: [
        ...fields,
        ...partitionKeys.map((name): Field => ({ name, type: { kind: 'string' } })),
      ],
      // Files end, but a STREAMING job idles after them until stopped, as SeaTunnel's does.
      bounded: ctx.env.mode === 'BATCH',
      splits: () => files.map((id): FileSplit => ({ id, file: path.join(base, id) })),
      reader(split, position): SplitReader {
        const file = (split as FileSplit).file;
        const decode = decoderFor(file);
        const parts = pathPartitions(file);
        const extra = partitionKeys.map((k) => parts.get(k) ?? null);
        // Only csv records with a schema span lines (a quoted cell holding a line break).
        const multiLine = format === 'csv' && schema !== undefined;
        let consumed = typeof position === 'number' && position > 0 ? position : 0;
        const skip = Math.max(consumed, skipHeader);
        let lines: LineReader | undefined;
        let finished = false;
        let detach = () => {};

        const finish = async () => {
          finished = true;
          detach();
          await lines?.close();
        };

        return {
          async next(signal) {
            if (finished) return null;
            try {
              if (!lines) {
                lines = await openLines(where, file);
                const onAbort = () => void lines?.close().catch(() => {});
                signal.addEventListener('abort', onAbort, { once: true });
                detach = () => signal.removeEventListener('abort', onAbort);
                let skipped = 0;
                while (skipped < skip && (await lines.next()) !== null) skipped += 1;
                consumed = skipped;
              }
              const reader = lines;
              const rows: Row[] = [];
              while (rows.length < BATCH_ROWS) {
                const first = await reader.next();
                if (first === null) {
                  await finish();
                  break;
                }
                const start = consumed + 1;
                const record = multiLine
                  ? await readCsvRecord(first, () => reader.next(), delimiter)
                  : { text: stripCr(first), cells: undefined, lines: 1 };
                // An unclosed quote at the end of the file (no cells): the decoder reports it.
                const values = decode(record.text, start, record.cells);
                consumed += record.lines;
                if (values) {
                  for (const v of extra) values.push(v);
                  rows.push({ kind: 'INSERT', table, values });
                }
              }
              return rows.length > 0 ? rows : null;
            } catch (err) {
              await finish();
              // A stop closes the file under a read in flight: that is the end, not a failure.
              if (signal.aborted) return null;
              throw err;
            }
          },
          position: () => consumed,
        };
      },
    };
  },
} satisfies SourceFactory;

class BadValue extends Error {
  readonly reason: string | undefined;
  constructor(reason?: string) {
    super(reason ?? 'bad value');
    this.reason = reason;
  }
}

const INT_RANGE: Record<string, [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32_768, 32_767],
  int: [-2_147_483_648, 2_147_483_647],
  bigint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(NaN|Infinity)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A text or csv cell as a value of its column's type. */
function fromText(type: DataType, text: string): unknown {
  if (type.kind === 'string') return text;
  // An empty cell, or `null` as the LocalFile sink writes a null, is a null for any other type.
  if (text === '' || text === 'null') return null;
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return integer(type.kind, text.trim());
    case 'float':
    case 'double': {
      const t = text.trim();
      if (!FLOAT.test(t)) throw new BadValue();
      return Number(t);
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw new BadValue('use true or false');
    }
    case 'decimal':
    case 'date':
    case 'time':
    case 'timestamp':
      return text;
    case 'null':
      return null;
    case 'bytes':
      return base64(text.trim());
    case 'map':
      return fromJson(type, parseJson(text));
    case 'array':
    case 'row': {
      const t = text.trim();
      if (!t.startsWith('[') || !t.endsWith(']')) throw new BadValue('expected [a, b, …]');
      // JSON when it is (`[1, [2, 3]]`), else the sink's `[a, b]` text.
      try {
        return fromJson(type, JSON.parse(t));
      } catch (err) {
        if (err instanceof BadValue) throw err;
      }
      const items = splitList(t.slice(1, -1));
      if (type.kind === 'array') return items.map((item) => fromText(type.element, item));
      return type.fields.map((f, i) => {
        const item = items[i];
        return item === undefined ? null : fromText(f.type, item);
      });
    }
  }
}

/** A JSON value as a value of its column's type; strings go through fromText. */
function fromJson(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type.kind === 'string') {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (type.kind === 'array' || type.kind === 'map' || type.kind === 'row') throw new BadValue();
    return fromText(type, value);
  }
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      if (typeof value !== 'number') throw new BadValue();
      return integer(type.kind, String(value));
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw new BadValue();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new BadValue();
      return value;
    case 'decimal':
      if (typeof value !== 'number') throw new BadValue();
      return String(value);
    case 'null':
      return null;
    case 'array':
      if (!Array.isArray(value)) throw new BadValue();
      return value.map((v) => fromJson(type.element, v));
    case 'map':
      if (!isRecord(value)) throw new BadValue();
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, fromJson(type.value, v)]),
      );
    case 'row':
      if (Array.isArray(value)) return type.fields.map((f, i) => fromJson(f.type, value[i]));
      if (!isRecord(value)) throw new BadValue();
      return type.fields.map((f) => fromJson(f.type, value[f.name]));
    default:
      throw new BadValue();
  }
}

function integer(kind: string, text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new BadValue();
  const n = Number(text);
  const [min, max] = INT_RANGE[kind] as [number, number];
  if (n < min || n > max) {
    throw new BadValue(
      kind === 'bigint'
        ? 'beyond ±2^53, which bosun keeps exactly; declare the column as string or decimal'
        : `out of range ${min} to ${max}`,
    );
  }
  return n;
}

function base64(text: string): Uint8Array {
  if (!BASE64.test(text)) throw new BadValue('expected base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadValue('expected JSON');
  }
}

/** `a, [b, c], d` → its top-level items, as the sink's text of a list or row prints them. */
function splitList(text: string): string[] {
  if (text.trim() === '') return [];
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth += 1;
    else if (c === ']' || c === '}') depth -= 1;
    else if (c === ',' && depth === 0 && text[i + 1] === ' ') {
      items.push(text.slice(start, i));
      start = i + 2;
      i += 1;
    }
  }
  items.push(text.slice(start));
  return items;
}

interface LineReader {
  /** The next line without its `\n` (a `\r` before it is kept), or null at the end. */
  next(): Promise<string | null>;
  close(): Promise<void>;
}

/** Lines of a UTF-8 file, read in chunks so a big file never sits in memory whole. */
async function openLines(where: string, file: string): Promise<LineReader> {
  const handle: FileHandle = await open(file, 'r');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let text = '';
  let start = 0;
  let scanned = 0;
  let eof = false;
  let closed = false;
  return {
    async next() {
      for (;;) {
        const nl = text.indexOf('\n', scanned);
        if (nl >= 0) {
          const line = text.slice(start, nl);
          start = scanned = nl + 1;
          return line;
        }
        if (eof) {
          if (start >= text.length) return null;
          const line = text.slice(start);
          start = scanned = text.length;
          return line;
        }
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        text = text.slice(start);
        start = 0;
        scanned = text.length;
        eof = bytesRead === 0;
        try {
          text += decoder.decode(buffer.subarray(0, bytesRead), { stream: !eof });
        } catch (err) {
          throw new Error(
            `${where}: ${file} is not valid UTF-8; bosun reads UTF-8 files only (convert it, e.g. with iconv)`,
            { cause: err },
          );
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

function readSchema(where: string, value: unknown): Field[] | undefined {
  if (value === undefined || value === null) return undefined;
  const fields = isRecord(value) ? value.fields : undefined;
  if (!isRecord(fields)) {
    throw configError(
      `${where}: option 'schema' must hold fields, e.g. schema = { fields { name = string, age = int } }`,
    );
  }
  try {
    return parseFields(fields);
  } catch (err) {
    throw configError(`${where}: schema: ${(err as Error).message}`);
  }
}

function readColumns(where: string, value: unknown, fields: readonly Field[]): Field[] {
  if (value === undefined || value === null) return [...fields];
  const names = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(names) || names.length === 0) {
    throw configError(
      `${where}: option 'read_columns' must be a list of column names, e.g. ["name", "age"]`,
    );
  }
  return names.map((name) => {
    const field = fields.find((f) => f.name === name);
    if (!field) {
      throw configError(
        `${where}: read_columns names "${String(name)}", which is not a column; the columns are ${fields.map((f) => f.name).join(', ')}`,
      );
    }
    return field;
  });
}

function filePattern(where: string, value: unknown): RegExp | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  try {
    // Java's Matcher.matches(), as SeaTunnel uses: the whole file name must match.
    return new RegExp(`^(?:${String(value)})$`);
  } catch (err) {
    throw configError(
      `${where}: option 'file_filter_pattern' is not a regular expression: ${(err as Error).message}`,
    );
  }
}

/** The files to read, as paths relative to `base` sorted by name (`root` itself when it is a file). */
function listFiles(
  where: string,
  root: string,
  filter: RegExp | undefined,
): { base: string; files: string[] } {
  let stat;
  try {
    stat = statSync(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw configError(
      code === 'ENOENT'
        ? `${where}: path ${root} does not exist; set 'path' to a file or a directory of files`
        : `${where}: path ${root} cannot be read: ${(err as Error).message}`,
    );
  }
  if (stat.isFile()) return { base: path.dirname(root), files: [path.basename(root)] };
  if (!stat.isDirectory()) {
    throw configError(`${where}: path ${root} is neither a file nor a directory`);
  }
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      // Hidden files and folders (editors' and tools' temporary ones) and Hadoop's _SUCCESS marker
      // are not data, as SeaTunnel skips them.
      if (name.startsWith('.') || name === '_SUCCESS') continue;
      const child = rel === '' ? name : path.join(rel, name);
      const s = statSync(path.join(root, child));
      if (s.isDirectory()) walk(child);
      else if (s.isFile() && (!filter || filter.test(name))) out.push(child);
    }
  };
  walk('');
  return { base: root, files: out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/** The `k=v` directories of a file's path (Hive style, as the LocalFile sink writes them), in order. */
function pathPartitions(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const segment of path.dirname(file).split(path.sep)) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const raw = segment.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw); // the sink escapes `/` and `%` in values
    } catch {
      // a plain `%` in a directory someone else made: keep the name as it is
    }
    out.set(segment.slice(0, eq), value);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
