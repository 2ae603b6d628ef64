// The LocalFile sink (specs/seatunnel.md §5): text, csv or json lines under `path`. With
// `is_enable_transaction` (the default) each checkpoint's rows go to files under `tmp_path` that are
// moved into `path` when the checkpoint commits, so a canceled or failed run leaves nothing half
// written, and a resumed run never writes a row twice. Files are named like SeaTunnel's:
// `T_<jobId>_<uuid>_<subtask>_<checkpointId>[_<part>].<ext>`, or by `file_name_expression`.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { Field } from '../../data-type.ts';
import { compilePattern, partsOf, type DateTimeParts } from '../../date-time.ts';
import { ConnectorOptionError, optionReader, type Row, type SinkFactory } from '../connector.ts';
import { jsonOf, textOf } from '../text-value.ts';

const FORMATS = ['text', 'csv', 'json'] as const;
const EXTENSIONS: Record<(typeof FORMATS)[number], string> = {
  text: 'txt',
  csv: 'csv',
  json: 'json',
};

interface PendingFile {
  readonly tmp: string;
  readonly final: string;
}

export const localFileSink: SinkFactory = {
  role: 'sink',
  name: 'LocalFile',
  create(ctx, inputFields, subtask) {
    const options = optionReader(ctx);
    const dir = path.resolve(options.string('path'));
    const tmpRoot = path.resolve(options.string('tmp_path', '/tmp/seatunnel'));
    const rawFormat = options.string('file_format_type', 'csv').toLowerCase();
    if (!(FORMATS as readonly string[]).includes(rawFormat)) {
      throw new ConnectorOptionError(
        `LocalFile: option 'file_format_type' ${rawFormat} is not supported by bosun; use text, csv or json`,
      );
    }
    const format = rawFormat as (typeof FORMATS)[number];
    const fieldDelimiter = options.string('field_delimiter', format === 'csv' ? ',' : '\u0001');
    const rowDelimiter = options.string('row_delimiter', '\n');
    const transactional = options.boolean('is_enable_transaction', true);
    const batchSize = options.int('batch_size', 1_000_000, 1);
    const header = options.boolean('enable_header_write', false);
    const customName = options.boolean('custom_filename', false);
    const nameExpression = options.string('file_name_expression', '${transactionId}');
    let timeText: (p: DateTimeParts) => string;
    try {
      timeText = compilePattern(options.string('filename_time_format', 'yyyy.MM.dd'));
    } catch (err) {
      throw new ConnectorOptionError(
        `LocalFile: option 'filename_time_format': ${(err as Error).message}`,
      );
    }
    const fields = sinkColumns(options.raw('sink_columns'), inputFields);
    const indexes = fields.map((f) => inputFields.indexOf(f));

    // One encoder per column, chosen once: the per-row work is string building only (this is the
    // sink's hot loop; a generic JSON.stringify of an object per row cost ~30 % of a run).
    const cells = fields.map((f): ((v: unknown) => string) => {
      const simple =
        f.type.kind !== 'array' &&
        f.type.kind !== 'map' &&
        f.type.kind !== 'row' &&
        f.type.kind !== 'bytes';
      if (format === 'json') {
        return simple ? (v) => JSON.stringify(v ?? null) : (v) => JSON.stringify(jsonOf(f.type, v));
      }
      const text = simple
        ? (v: unknown) => (v === null || v === undefined ? 'null' : String(v))
        : (v: unknown) => textOf(f.type, v);
      // Only text can need quoting in csv.
      return format === 'csv' &&
        f.type.kind !== 'tinyint' &&
        f.type.kind !== 'smallint' &&
        f.type.kind !== 'int' &&
        f.type.kind !== 'bigint' &&
        f.type.kind !== 'float' &&
        f.type.kind !== 'double' &&
        f.type.kind !== 'boolean'
        ? (v) => csvCell(text(v))
        : text;
    });
    const keys = fields.map((f) => `${JSON.stringify(f.name)}:`);
    const encode = (row: Row): string => {
      let out = format === 'json' ? '{' : '';
      for (let i = 0; i < cells.length; i++) {
        const cell = (cells[i] as (v: unknown) => string)(row.values[indexes[i] as number]);
        if (format === 'json') out += `${i > 0 ? ',' : ''}${keys[i] as string}${cell}`;
        else out += i > 0 ? fieldDelimiter + cell : cell;
      }
      return format === 'json' ? `${out}}` : out;
    };

    let checkpointId = 1;
    let transactionId = '';
    let part = 0;
    let rowsInFile = 0;
    let stream: WriteStream | undefined;
    let pending: PendingFile[] = [];

    const fileName = (): string => {
      const base = customName
        ? nameExpression
            .replaceAll('${transactionId}', transactionId)
            .replaceAll('${uuid}', randomUUID())
            .replaceAll('${now}', timeText(partsOf(Date.now(), undefined)))
        : transactionId;
      return `${base}${part > 0 ? `_${part}` : ''}.${EXTENSIONS[format]}`;
    };

    const open = async (): Promise<WriteStream> => {
      if (transactionId === '') {
        transactionId = `T_${ctx.jobId}_${randomUUID().replaceAll('-', '')}_${subtask}_${checkpointId}`;
      }
      const name = fileName();
      const final = path.join(dir, name);
      const target = transactional ? path.join(tmpRoot, ctx.jobId, transactionId, name) : final;
      await mkdir(path.dirname(target), { recursive: true });
      const out = createWriteStream(target, { flags: 'w' });
      pending.push({ tmp: target, final });
      if (header && format === 'csv') {
        out.write(fields.map((f) => csvCell(f.name)).join(fieldDelimiter) + rowDelimiter);
      }
      return out;
    };

    const closeFile = async (): Promise<void> => {
      if (!stream) return;
      const s = stream;
      stream = undefined;
      await new Promise<void>((resolve, reject) =>
        s.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
    };

    return {
      async write(rows) {
        let chunk = '';
        for (const row of rows) {
          if (rowsInFile >= batchSize) {
            if (chunk !== '') await writeChunk(stream as WriteStream, chunk);
            chunk = '';
            await closeFile();
            part += 1;
            rowsInFile = 0;
          }
          stream ??= await open();
          chunk += encode(row) + rowDelimiter;
          rowsInFile += 1;
        }
        if (chunk !== '') await writeChunk(stream as WriteStream, chunk);
      },

      async prepareCommit(id) {
        await closeFile();
        const files = pending;
        pending = [];
        transactionId = '';
        part = 0;
        rowsInFile = 0;
        checkpointId = id + 1;
        return transactional ? { files } : null;
      },

      async commit(prepared) {
        const files = (prepared as { files?: PendingFile[] } | null)?.files ?? [];
        for (const file of files) await moveInto(file);
        const dirs = new Set(files.map((f) => path.dirname(f.tmp)));
        for (const d of dirs) await rm(d, { recursive: true, force: true });
      },

      async abort() {
        await closeFile();
        if (transactional) {
          for (const file of pending) {
            await rm(path.dirname(file.tmp), { recursive: true, force: true });
          }
        }
        pending = [];
      },

      close: closeFile,
    };
  },
};

async function writeChunk(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/** Moves a committed file into place; a file already moved (a commit replayed after a restart) is fine. */
async function moveInto(file: PendingFile): Promise<void> {
  await mkdir(path.dirname(file.final), { recursive: true });
  try {
    await rename(file.tmp, file.final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EXDEV') throw err;
    // tmp_path on another filesystem: copy, then remove the temporary file.
    await copyFile(file.tmp, file.final);
    await unlink(file.tmp);
  }
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function sinkColumns(value: unknown, fields: readonly Field[]): Field[] {
  if (value === undefined) return [...fields];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConnectorOptionError(
      `LocalFile: option 'sink_columns' must be a list of column names`,
    );
  }
  return value.map((name) => {
    const field = fields.find((f) => f.name === name);
    if (!field) {
      throw new ConnectorOptionError(
        `LocalFile: sink_columns names "${String(name)}", which is not a column; the columns are ${fields.map((f) => f.name).join(', ')}`,
      );
    }
    return field;
  });
}
