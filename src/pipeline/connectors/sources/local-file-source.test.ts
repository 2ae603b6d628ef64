// The LocalFile source over real files in a temporary folder: formats, options, type conversion,
// resuming from a position, and a run through the engine reading what the LocalFile sink wrote.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readPipelineConfig, type JobMode } from '../../config/pipeline-config.ts';
import { parseFields } from '../../data-type.ts';
import { execute } from '../../engine/executor.ts';
import { type ConnectorContext, type Row, type Source } from '../connector.ts';
import type { ConnectorRegistry } from '../registry.ts';
import { consoleSink } from '../sinks/console-sink.ts';
import { localFileSink } from '../sinks/local-file-sink.ts';
import { localFileSource } from './local-file-source.ts';
import { isConfigError } from '../../config-error.ts';

let dir: string;
describe('local-file-source', () => {
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-localfile-source-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Only the connectors these tests use, so the test does not depend on the registry's list. */
  const registry: ConnectorRegistry = {
    names: (role) =>
      role === 'source' ? ['LocalFile'] : role === 'sink' ? ['Console', 'LocalFile'] : [],
    source: () => localFileSource,
    transform: (name) => {
      throw new Error(`no transform ${name}`);
    },
    sink: (name) => (name.toLowerCase() === 'console' ? consoleSink : localFileSink),
  };

  const envOf = (mode: JobMode) =>
    readPipelineConfig(
      {
        env: { 'job.mode': mode },
        source: [{ plugin_name: 'LocalFile' }],
        sink: [{ plugin_name: 'Console' }],
      },
      registry,
    ).env;

  const context = (
    role: 'source' | 'sink',
    options: Record<string, unknown>,
    mode: JobMode = 'BATCH',
  ): ConnectorContext => ({
    plugin: {
      role,
      index: 0,
      name: 'LocalFile',
      output: role === 'source' ? 'files' : undefined,
      inputs: role === 'source' ? [] : ['files'],
      parallelism: 1,
      options: options as never,
    },
    env: envOf(mode),
    jobId: '7',
    log: () => {},
  });

  const make = (options: Record<string, unknown>, mode: JobMode = 'BATCH'): Source =>
    localFileSource.create(context('source', options, mode));

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  /** Every row of every split, in split order, each as its values. */
  const readAll = async (source: Source): Promise<unknown[][]> => {
    const out: unknown[][] = [];
    const signal = new AbortController().signal;
    for (const split of source.splits(1)) {
      const reader = source.reader(split, undefined, 0);
      for (let rows = await reader.next(signal); rows; rows = await reader.next(signal)) {
        assert.ok(rows.length > 0 && rows.length <= 1024);
        out.push(...rows.map((r) => r.values));
      }
    }
    return out;
  };

  describe('LocalFile source', () => {
    it('reads text lines as one content column without a schema, into the plugin output table', async () => {
      const file = write('a.txt', 'first line\n\nthird, with a comma\r\nlast without newline');
      const source = make({ path: file, file_format_type: 'text' });
      assert.deepEqual(source.fields, [{ name: 'content', type: { kind: 'string' } }]);
      assert.equal(source.bounded, true);
      assert.deepEqual(await readAll(source), [
        ['first line'],
        [''],
        ['third, with a comma'],
        ['last without newline'],
      ]);
      const [split] = source.splits(1);
      const rows = (await source
        .reader(split!, undefined, 0)
        .next(new AbortController().signal)) as Row[];
      assert.deepEqual(
        { kind: rows[0]?.kind, table: rows[0]?.table },
        { kind: 'INSERT', table: 'files' },
      );
    });

    it('reads csv without a schema as whole lines too', async () => {
      const file = write('a.csv', 'a,b\n"c,d",e\n');
      assert.deepEqual(await readAll(make({ path: file, file_format_type: 'csv' })), [
        ['a,b'],
        ['"c,d",e'],
      ]);
    });

    it('splits text lines by field_delimiter (\\u0001 by default) into the schema types', async () => {
      const file = write(
        'a.txt',
        'ann\u000130\u0001true\u00011.5\nbob\u0001\u0001false\u0001null\n',
      );
      const schema = { fields: { name: 'string', age: 'int', ok: 'boolean', score: 'double' } };
      assert.deepEqual(await readAll(make({ path: file, file_format_type: 'text', schema })), [
        ['ann', 30, true, 1.5],
        ['bob', null, false, null],
      ]);
      const piped = write('b.txt', 'x|1\ny|2|extra\nz\n');
      assert.deepEqual(
        await readAll(
          make({
            path: piped,
            file_format_type: 'text',
            field_delimiter: '|',
            schema: { fields: { k: 'string', v: 'bigint' } },
          }),
        ),
        [
          ['x', 1],
          ['y', 2],
          ['z', null],
        ],
      );
    });

    it('parses quoted csv cells: delimiters, doubled quotes and line breaks inside quotes', async () => {
      const file = write(
        'a.csv',
        'name,note,n\r\n"Smith, J","say ""hi""",1\r\n"two\nlines",,2\r\nplain,"cr\r\nlf",\r\n',
      );
      const schema = { fields: { name: 'string', note: 'string', n: 'int' } };
      const source = make({
        path: file,
        file_format_type: 'csv',
        schema,
        skip_header_row_number: 1,
      });
      assert.deepEqual(await readAll(source), [
        ['Smith, J', 'say "hi"', 1],
        ['two\nlines', '', 2],
        ['plain', 'cr\r\nlf', null],
      ]);
    });

    it('reports an unclosed quote with the file and line', async () => {
      const file = write('bad.csv', 'a,1\n"open,2\nmore\n');
      const source = make({
        path: file,
        file_format_type: 'csv',
        schema: { fields: { s: 'string', n: 'int' } },
      });
      await assert.rejects(readAll(source), (err: Error) => {
        assert.match(err.message, /bad\.csv line 2: a quoted cell is not closed/);
        return true;
      });
    });

    it('reads json lines by field name: missing fields are null, blank lines skipped', async () => {
      const file = write(
        'a.json',
        [
          '{"name":"ann","age":30,"tags":["x","y"],"m":{"k":1},"r":{"a":1,"b":"z"},"price":"1.50"}',
          '',
          '{"age":"41","extra":true,"price":2.5}',
        ].join('\n'),
      );
      const source = make({
        path: file,
        file_format_type: 'json',
        schema: {
          fields: {
            name: 'string',
            age: 'int',
            tags: 'array<string>',
            m: 'map<string, int>',
            r: { a: 'int', b: 'string' },
            price: 'decimal(10, 2)',
          },
        },
      });
      assert.deepEqual(await readAll(source), [
        ['ann', 30, ['x', 'y'], { k: 1 }, [1, 'z'], '1.50'],
        [null, 41, null, null, null, '2.5'],
      ]);
    });

    it('json needs a schema', () => {
      write('a.json', '{}\n');
      assert.throws(
        () => make({ path: path.join(dir, 'a.json'), file_format_type: 'json' }),
        (err: Error) => isConfigError(err) && /need option \[schema\]/.test(err.message),
      );
    });

    it('skips skip_header_row_number lines of every file', async () => {
      write('d/1.csv', 'id\n1\n2\n');
      write('d/2.csv', 'id\n3\n');
      const source = make({
        path: path.join(dir, 'd'),
        file_format_type: 'csv',
        skip_header_row_number: 1,
        schema: { fields: { id: 'int' } },
      });
      assert.deepEqual(await readAll(source), [[1], [2], [3]]);
    });

    it('reads a directory recursively, sorted by name, one split per file, filtered by file name', async () => {
      write('d/b.txt', 'b\n');
      write('d/a.txt', 'a\n');
      write('d/sub/c.txt', 'c\n');
      write('d/sub/c.log', 'log\n');
      write('d/.hidden.txt', 'hidden\n');
      write('d/_SUCCESS', '');
      const all = make({ path: path.join(dir, 'd'), file_format_type: 'text' });
      assert.deepEqual(
        all.splits(2).map((s) => s.id),
        ['a.txt', 'b.txt', path.join('sub', 'c.log'), path.join('sub', 'c.txt')],
      );
      assert.deepEqual(await readAll(all), [['a'], ['b'], ['log'], ['c']]);

      const txt = make({
        path: path.join(dir, 'd'),
        file_format_type: 'text',
        file_filter_pattern: '.*\\.txt',
      });
      assert.deepEqual(await readAll(txt), [['a'], ['b'], ['c']]);
      // The whole name must match, as Java's Matcher.matches() in SeaTunnel.
      const partial = make({
        path: path.join(dir, 'd'),
        file_format_type: 'text',
        file_filter_pattern: 'a',
      });
      assert.deepEqual(partial.splits(1), []);
    });

    it('read_columns picks schema columns in the order given', async () => {
      const csv = write('a.csv', 'ann,30,Oslo\nbob,41,Rome\n');
      const source = make({
        path: csv,
        file_format_type: 'csv',
        schema: { fields: { name: 'string', age: 'int', city: 'string' } },
        read_columns: ['city', 'name'],
      });
      assert.deepEqual(
        source.fields.map((f) => f.name),
        ['city', 'name'],
      );
      assert.deepEqual(await readAll(source), [
        ['Oslo', 'ann'],
        ['Rome', 'bob'],
      ]);
      const json = write('a.json', '{"name":"ann","age":30}\n');
      assert.deepEqual(
        await readAll(
          make({
            path: json,
            file_format_type: 'json',
            schema: { fields: { name: 'string', age: 'int' } },
            read_columns: ['age'],
          }),
        ),
        [[30]],
      );
      assert.throws(
        () =>
          make({
            path: csv,
            file_format_type: 'csv',
            schema: { fields: { name: 'string' } },
            read_columns: ['nope'],
          }),
        /read_columns names "nope", which is not a column; the columns are name/,
      );
    });

    it('converts every scalar type, and null for empty non-string csv cells', async () => {
      const file = write(
        'a.csv',
        [
          '1,2,3,9007199254740991,1.5,-2e3,TRUE,12.345,2024-01-02,10:11:12,2024-01-02T10:11:12,aGk=,',
          ',,,,,,,,,,,,',
        ].join('\n'),
      );
      const fields = {
        t: 'tinyint',
        s: 'smallint',
        i: 'int',
        b: 'bigint',
        f: 'float',
        d: 'double',
        ok: 'boolean',
        dec: 'decimal(10, 3)',
        day: 'date',
        at: 'time',
        ts: 'timestamp',
        raw: 'bytes',
        str: 'string',
      };
      const rows = await readAll(make({ path: file, file_format_type: 'csv', schema: { fields } }));
      assert.deepEqual(rows, [
        [
          1,
          2,
          3,
          9007199254740991,
          1.5,
          -2000,
          true,
          '12.345',
          '2024-01-02',
          '10:11:12',
          '2024-01-02T10:11:12',
          new Uint8Array([104, 105]),
          '',
        ],
        [null, null, null, null, null, null, null, null, null, null, null, null, ''],
      ]);
    });

    it('fails the read naming the file, line, column and type of a value that does not convert', async () => {
      const file = write('people.csv', 'name,age\nann,30\nbob,old\n');
      const source = make({
        path: file,
        file_format_type: 'csv',
        skip_header_row_number: 1,
        schema: { fields: { name: 'string', age: 'int' } },
      });
      await assert.rejects(readAll(source), (err: Error) => {
        assert.equal(
          err.message,
          `LocalFile: ${file} line 3, column "age": cannot read "old" as int`,
        );
        return true;
      });
      const range = write('r.csv', '300\n');
      await assert.rejects(
        readAll(
          make({ path: range, file_format_type: 'csv', schema: { fields: { t: 'tinyint' } } }),
        ),
        /r\.csv line 1, column "t": cannot read "300" as tinyint \(out of range -128 to 127\)/,
      );
      const json = write('j.json', '{"ok":"maybe"}\n');
      await assert.rejects(
        readAll(
          make({ path: json, file_format_type: 'json', schema: { fields: { ok: 'boolean' } } }),
        ),
        /j\.json line 1, column "ok": cannot read "maybe" as boolean \(use true or false\)/,
      );
      const notJson = write('n.json', '{"ok":true}\n{oops\n');
      await assert.rejects(
        readAll(
          make({ path: notJson, file_format_type: 'json', schema: { fields: { ok: 'boolean' } } }),
        ),
        /n\.json line 2: not JSON/,
      );
    });

    it('resumes from position(): a restored reader gives the rest, each line exactly once', async () => {
      const lines = Array.from({ length: 2500 }, (_, i) => `${i},"row ""${i}"""`);
      const file = write('big.csv', ['id,label', ...lines].join('\n') + '\n');
      const source = make({
        path: file,
        file_format_type: 'csv',
        skip_header_row_number: 1,
        schema: { fields: { id: 'int', label: 'string' } },
      });
      const [split] = source.splits(1);
      const abort = new AbortController();
      const first = source.reader(split!, undefined, 0);
      const a = (await first.next(abort.signal)) ?? [];
      const b = (await first.next(abort.signal)) ?? [];
      assert.equal(a.length, 1024);
      assert.equal(b.length, 1024);
      const position = first.position();
      assert.equal(position, 1 + 2048);
      // The first reader stops here (a savepoint); the abort closes its file.
      abort.abort();

      const restored = source.reader(split!, JSON.parse(JSON.stringify(position)), 0);
      const signal = new AbortController().signal;
      const rest: Row[] = [];
      for (let rows = await restored.next(signal); rows; rows = await restored.next(signal)) {
        rest.push(...rows);
      }
      assert.equal(restored.position(), 2501);
      const ids = [...a, ...b, ...rest].map((r) => r.values[0]);
      assert.deepEqual(
        ids,
        lines.map((_, i) => i),
      );
      assert.deepEqual(rest[0]?.values, [2048, 'row "2048"']);
    });

    it('rejects a missing path, an unknown format and another encoding at create time', () => {
      const missing = path.join(dir, 'nope');
      assert.throws(
        () => make({ path: missing, file_format_type: 'csv' }),
        (err: Error) =>
          isConfigError(err) && err.message.includes(missing) && /does not exist/.test(err.message),
      );
      assert.throws(() => make({ file_format_type: 'csv' }), /the options\('path'\) are required/);
      assert.throws(() => make({ path: dir }), /the options\('file_format_type'\) are required/);
      assert.throws(
        () => make({ path: dir, file_format_type: 'parquet' }),
        (err: Error) =>
          isConfigError(err) &&
          /^LocalFile: option 'file_format_type' parquet is not supported .*use text, csv or json$/.test(
            err.message,
          ),
      );
      assert.throws(
        () => make({ path: dir, file_format_type: 'text', encoding: 'GBK' }),
        /option 'encoding' GBK is not supported; bosun reads UTF-8 files only/,
      );
      assert.doesNotThrow(() => make({ path: dir, file_format_type: 'text', encoding: 'utf8' }));
      assert.throws(
        () => make({ path: dir, file_format_type: 'text', file_filter_pattern: '(' }),
        /file_filter_pattern' is not a regular expression/,
      );
    });

    it('adds k=v directories of the path as string columns (parse_partition_from_path)', async () => {
      write('t/dt=2024-01-01/region=eu/a.txt', 'one\n');
      write('t/dt=2024-01-02/region=us%2Fwest/b.txt', 'two\n');
      write('t/dt=2024-01-03/c.txt', 'three\n');
      const source = make({ path: path.join(dir, 't'), file_format_type: 'text' });
      assert.deepEqual(
        source.fields.map((f) => [f.name, f.type.kind]),
        [
          ['content', 'string'],
          ['dt', 'string'],
          ['region', 'string'],
        ],
      );
      assert.deepEqual(await readAll(source), [
        ['one', '2024-01-01', 'eu'],
        ['two', '2024-01-02', 'us/west'],
        ['three', '2024-01-03', null],
      ]);
      const off = make({
        path: path.join(dir, 't'),
        file_format_type: 'text',
        parse_partition_from_path: false,
      });
      assert.deepEqual(
        off.fields.map((f) => f.name),
        ['content'],
      );
      // A partition named like a schema column: the file's value is kept, no second column.
      write('j/dt=2024-05-05/a.json', '{"dt":"from file","n":1}\n');
      const json = make({
        path: path.join(dir, 'j'),
        file_format_type: 'json',
        schema: { fields: { dt: 'string', n: 'int' } },
      });
      assert.deepEqual(await readAll(json), [['from file', 1]]);
    });

    it('is bounded in BATCH; a STREAMING job idles after the files, as with FakeSource', () => {
      assert.equal(make({ path: dir, file_format_type: 'text' }, 'BATCH').bounded, true);
      assert.equal(make({ path: dir, file_format_type: 'text' }, 'STREAMING').bounded, false);
    });

    describe('through the engine, reading what the LocalFile sink wrote', () => {
      const fields = parseFields({
        id: 'int',
        name: 'string',
        score: 'double',
        ok: 'boolean',
        tags: 'array<string>',
      });
      const original: unknown[][] = [
        [1, 'plain', 1.5, true, ['a', 'b']],
        [2, 'with, comma and "quotes"', -2, false, []],
        [3, 'two\nlines', 0.25, true, ['x']],
        [4, 'missing', null, null, null],
      ];
      const schema = { fields: { id: 'int', name: 'string', score: 'double', ok: 'boolean' } };

      /** Writes `original` with the LocalFile sink into in/ and commits it. */
      const sinkWrite = async (
        format: string,
        extra: Record<string, unknown> = {},
      ): Promise<string> => {
        const input = path.join(dir, 'in');
        const sink = localFileSink.create(
          context('sink', {
            path: input,
            tmp_path: path.join(dir, 'tmp'),
            file_format_type: format,
            ...extra,
          }),
          fields,
          0,
        );
        await sink.write(original.map((values) => ({ kind: 'INSERT', table: 'files', values })));
        await sink.commit(await sink.prepareCommit(1));
        await sink.close();
        return input;
      };

      const run = async (source: Record<string, unknown>, sink: Record<string, unknown>) => {
        const log: string[] = [];
        const config = readPipelineConfig(
          {
            env: { 'job.mode': 'BATCH' },
            source: [{ plugin_name: 'LocalFile', result_table_name: 'files', ...source }],
            sink: [sink],
          },
          registry,
        );
        const result = await execute({ config, jobId: '9', registry, log: (l) => log.push(l) })
          .done;
        return { result, log };
      };

      it('json lines in, json lines out: the same rows', async () => {
        const input = await sinkWrite('json');
        const output = path.join(dir, 'out');
        const { result } = await run(
          {
            path: input,
            file_format_type: 'json',
            schema: { fields: { ...schema.fields, tags: 'array<string>' } },
          },
          {
            plugin_name: 'LocalFile',
            path: output,
            tmp_path: path.join(dir, 'tmp'),
            file_format_type: 'json',
          },
        );
        assert.equal(result.status, 'FINISHED', result.error);
        assert.equal(result.metrics.SourceReceivedCount, 4);
        const written = readdirSync(output).flatMap((name) =>
          readFileSync(path.join(output, name), 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l)),
        );
        assert.deepEqual(
          written,
          original.map(([id, name, score, ok, tags]) => ({ id, name, score, ok, tags })),
        );
      });

      it('csv in, Console out: the same rows, quoted cells and nulls included', async () => {
        const input = await sinkWrite('csv');
        const { result, log } = await run(
          { path: input, file_format_type: 'csv', schema },
          { plugin_name: 'Console' },
        );
        assert.equal(result.status, 'FINISHED', result.error);
        const rows = log
          .filter((l) => l.includes('SeaTunnelRow#kind'))
          .map((l) => l.split(' : ')[1]);
        assert.deepEqual(rows, [
          '1, plain, 1.5, true',
          '2, with, comma and "quotes", -2, false',
          '3, two\nlines, 0.25, true',
          '4, missing, null, null',
        ]);
      });

      it('partitioned output reads back with the partition column from the directory names', async () => {
        const input = await sinkWrite('csv', { have_partition: true, partition_by: ['ok'] });
        assert.deepEqual(readdirSync(input).sort(), ['ok=false', 'ok=null', 'ok=true']);
        const schema3 = { fields: { id: 'int', name: 'string', score: 'double' } };
        const { result, log } = await run(
          { path: input, file_format_type: 'csv', schema: schema3 },
          { plugin_name: 'Console' },
        );
        assert.equal(result.status, 'FINISHED', result.error);
        assert.ok(
          log.some((l) => l.includes('ok<STRING>')),
          log.join('\n'),
        );
        const rows = log
          .filter((l) => l.includes('SeaTunnelRow#kind'))
          .map((l) => l.split(' : ')[1]);
        assert.deepEqual(rows, [
          '2, with, comma and "quotes", -2, false',
          '4, missing, null, null',
          '1, plain, 1.5, true',
          '3, two\nlines, 0.25, true',
        ]);
      });

      it('a value that does not convert fails the run with where it is', async () => {
        const input = await sinkWrite('csv');
        const { result } = await run(
          { path: input, file_format_type: 'csv', schema: { fields: { id: 'int', name: 'int' } } },
          { plugin_name: 'Console' },
        );
        assert.equal(result.status, 'FAILED');
        assert.match(result.error ?? '', /line 1, column "name": cannot read "plain" as int/);
      });
    });
  });
});
