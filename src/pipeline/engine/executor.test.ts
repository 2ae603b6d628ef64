// The engine end to end in this process: FakeSource into real files (and the Console sink), checkpoints,
// savepoint, resume, cancel and failure.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readPipelineConfig, type PipelineConfig } from '../config/pipeline-config.ts';
import { connectors } from '../connectors/registry.ts';
import { execute, type CheckpointState } from './executor.ts';

let dir: string;
describe('executor', () => {
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-pipeline-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (
    env: Record<string, unknown>,
    source: Record<string, unknown>,
    sink: Record<string, unknown>,
  ): PipelineConfig =>
    readPipelineConfig(
      {
        env,
        source: [
          {
            plugin_name: 'FakeSource',
            result_table_name: 'fake',
            schema: { fields: { id: 'string', n: 'int' } },
            'string.length': 24,
            'split.read-interval': 0,
            ...source,
          },
        ],
        sink: [sink],
      },
      connectors,
    );

  const fileSink = (extra: Record<string, unknown> = {}) => ({
    plugin_name: 'LocalFile',
    path: path.join(dir, 'out'),
    tmp_path: path.join(dir, 'tmp'),
    file_format_type: 'json',
    ...extra,
  });

  /** Every committed line under out/ (json lines). */
  const committed = (): string[] => {
    const out = path.join(dir, 'out');
    const names = existsSync(out) ? readdirSync(out) : [];
    return names.flatMap((name) =>
      readFileSync(path.join(out, name), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
  };

  const tmpFiles = (): string[] => {
    try {
      return readdirSync(path.join(dir, 'tmp'), { recursive: true })
        .map(String)
        .filter((f) => /\.\w+$/.test(f));
    } catch {
      return [];
    }
  };

  describe('pipeline engine', () => {
    it('runs a BATCH job with 2 readers to the end: every row written once, committed, counted', async () => {
      const run = execute({
        config: config(
          { 'job.mode': 'BATCH', parallelism: 2 },
          { 'row.num': 1500, 'split.num': 3 },
          fileSink(),
        ),
        jobId: '42',
        registry: connectors,
        log: () => {},
      });
      const result = await run.done;
      assert.equal(result.status, 'FINISHED', result.error);
      const lines = committed();
      assert.equal(lines.length, 3000, 'row.num per reader');
      assert.equal(new Set(lines).size, 3000);
      const first = JSON.parse(lines[0] as string) as { id: string; n: number };
      assert.equal(first.id.length, 24);
      assert.equal(typeof first.n, 'number');
      assert.equal(result.metrics.SourceReceivedCount, 3000);
      assert.equal(result.metrics.SinkWriteCount, 3000);
      assert.deepEqual(result.metrics.TableSinkWriteCount, { fake: 3000 });
      assert.equal(result.metrics.SinkWriteBytes, 3000 * (24 + 4));
      assert.deepEqual(tmpFiles(), [], 'temporary files moved on commit');
      for (const name of readdirSync(path.join(dir, 'out'))) {
        assert.match(name, /^T_42_[0-9a-f]{32}_[01]_\d+\.json$/);
      }
    });

    it('stops with a savepoint and resumes from it with no row lost or written twice', async () => {
      const streaming = config(
        { 'job.mode': 'STREAMING', 'checkpoint.interval': 40 },
        { 'row.num': 400, 'split.num': 20, 'split.read-interval': 15 },
        fileSink(),
      );
      const checkpoints: CheckpointState[] = [];
      const first = execute({
        config: streaming,
        jobId: '7',
        registry: connectors,
        log: () => {},
        onCheckpoint: async (state) => {
          checkpoints.push(state);
        },
      });
      while (first.metrics().SourceReceivedCount < 100) await sleep(10);
      first.stop(true);
      const stopped = await first.done;
      assert.equal(stopped.status, 'SAVEPOINT_DONE', stopped.error);
      assert.ok(checkpoints.length >= 2, 'periodic checkpoints, then the savepoint');
      const savepoint = stopped.checkpoint as CheckpointState;
      assert.equal(savepoint, checkpoints.at(-1));
      const before = committed();
      assert.ok(before.length >= 100 && before.length < 400, `part of the rows: ${before.length}`);
      assert.equal(
        before.length,
        stopped.metrics.SinkWriteCount,
        'everything written is committed',
      );

      const resumed = execute({
        config: config(
          { 'job.mode': 'BATCH' },
          { 'row.num': 400, 'split.num': 20, 'split.read-interval': 0 },
          fileSink(),
        ),
        jobId: '7',
        registry: connectors,
        restore: savepoint,
        log: () => {},
      });
      const result = await resumed.done;
      assert.equal(result.status, 'FINISHED', result.error);
      const after = committed();
      assert.equal(after.length, 400, 'all rows, once');
      assert.equal(new Set(after).size, 400, 'none twice');
      assert.equal(result.metrics.SourceReceivedCount, 400 - before.length);
    });

    it('takes one checkpoint at a time when the interval is shorter than a checkpoint takes', async () => {
      let taken = 0;
      const run = execute({
        config: config(
          { 'job.mode': 'STREAMING', 'checkpoint.interval': 1 },
          { 'row.num': 100, 'split.read-interval': 0 },
          { plugin_name: 'Console', 'log.print.data': false },
        ),
        jobId: '8',
        registry: connectors,
        log: () => {},
        onCheckpoint: async () => {
          taken += 1;
          await sleep(25);
        },
      });
      await sleep(300);
      run.stop(true);
      const result = await run.done;
      assert.equal(result.status, 'SAVEPOINT_DONE', result.error);
      // About 300 / 25 + the savepoint; queued requests would make it one per millisecond.
      assert.ok(taken >= 2 && taken <= 30, `${taken} checkpoints`);
    });

    it('cancels: nothing committed, temporary files removed', async () => {
      const run = execute({
        config: config(
          { 'job.mode': 'STREAMING' },
          { 'row.num': 1000, 'split.num': 50, 'split.read-interval': 10 },
          fileSink(),
        ),
        jobId: '9',
        registry: connectors,
        log: () => {},
      });
      while (run.metrics().SinkWriteCount < 40) await sleep(10);
      run.stop(false);
      const result = await run.done;
      assert.equal(result.status, 'CANCELED');
      assert.deepEqual(committed(), []);
      assert.deepEqual(tmpFiles(), []);
    });

    it("prints rows in the Console sink's format", async () => {
      const lines: string[] = [];
      const run = execute({
        config: config(
          { 'job.mode': 'BATCH' },
          {
            rows: [
              { kind: 'INSERT', fields: ['a', 1] },
              { kind: 'DELETE', fields: ['b', null] },
            ],
          },
          { plugin_name: 'Console' },
        ),
        jobId: '1',
        registry: connectors,
        log: (line) => lines.push(line),
      });
      assert.equal((await run.done).status, 'FINISHED');
      assert.deepEqual(lines, [
        'output rowType: id<STRING>, n<INT>',
        'subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : a, 1',
        'subtaskIndex=0  rowIndex=2:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=DELETE : b, null',
      ]);
    });

    it('fails the run, not the process, when a connector fails, and says why', async () => {
      writeFileSync(path.join(dir, 'out'), 'a file where the sink wants a directory');
      const run = execute({
        config: config(
          { 'job.mode': 'BATCH' },
          { 'row.num': 10 },
          fileSink({ is_enable_transaction: false }),
        ),
        jobId: '3',
        registry: connectors,
        log: () => {},
      });
      const result = await run.done;
      assert.equal(result.status, 'FAILED');
      assert.match(result.error ?? '', /ENOTDIR|EEXIST/);

      const bad = execute({
        config: config({ 'job.mode': 'BATCH' }, { schema: undefined }, { plugin_name: 'Console' }),
        jobId: '4',
        registry: connectors,
        log: () => {},
      });
      const noSchema = await bad.done;
      assert.equal(noSchema.status, 'FAILED');
      assert.match(noSchema.error ?? '', /^Schema config need option \[schema\]/);
    });
  });
});
