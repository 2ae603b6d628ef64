// Pipeline jobs through the native API against a real agent: a job of kind pipeline runs in its own
// engine process, its metrics and checkpoints land on the run, a savepoint stop ends it
// savepoint_done, and a resumed run picks up where it stopped with no row lost or written twice.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

type Json = Record<string, any>;

let agent: InProcessAgent;
let dir: string;
before(async () => {
  agent = await startInProcessAgent();
  dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-pipeline-jobs-'));
});
after(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const api = async (
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> => {
  // In-process (inject): this file is about runs, not the wire.
  const res = await injectClient(agent)(method, url, body);
  return { status: res.status, body: res.text === '' ? {} : (JSON.parse(res.text) as Json) };
};

const waitForRun = async (id: string, done: (run: Json) => boolean): Promise<Json> => {
  for (let i = 0; i < 300; i++) {
    const { body } = await api('GET', `/api/v1/runs/${id}`);
    if (done(body)) return body;
    await sleep(100);
  }
  assert.fail(`run ${id} never got there`);
};

const committedLines = (out: string): string[] =>
  existsSync(out)
    ? readdirSync(out).flatMap((f) =>
        readFileSync(path.join(out, f), 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      )
    : [];

describe('pipeline jobs', () => {
  it('runs a BATCH pipeline job: Console rows in the run log, metrics on the run', async () => {
    const created = await api('POST', '/api/v1/jobs', {
      name: 'fake-to-console',
      kind: 'pipeline',
      pipeline: {
        format: 'hocon',
        config: `env { job.mode = BATCH }
source { FakeSource { result_table_name = fake, row.num = 5, split.read-interval = 0, schema = { fields { name = string, age = int } } } }
sink { Console {} }`,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'pipeline');
    assert.equal(created.body.cmd, '');
    assert.equal(created.body.pipeline.format, 'hocon');
    const started = await api('POST', `/api/v1/jobs/${created.body.id}/run`);
    const run = await waitForRun(
      started.body.id,
      (r) => r.state !== 'queued' && r.state !== 'running',
    );
    assert.equal(run.state, 'succeeded', run.error);
    assert.equal(run.metrics.SourceReceivedCount, 5);
    assert.equal(run.metrics.SinkWriteCount, 5);
    const log = (await injectClient(agent)('GET', `/api/v1/runs/${run.id}/log`)).text;
    assert.match(
      log,
      new RegExp(
        `^Init JobMaster for Job \\S+ \\(${run.jobId}\\)\noutput rowType: name<STRING>, age<INT>\n`,
      ),
    );
    assert.equal((log.match(/SeaTunnelRow#kind=INSERT/g) ?? []).length, 5);
  });

  it('runs a SQL config into partitioned files; its password is masked when shown', async () => {
    const out = path.join(dir, 'by-city');
    const created = await api('POST', '/api/v1/jobs', {
      name: 'sql-partitioned',
      kind: 'pipeline',
      pipeline: {
        format: 'sql',
        config: `CREATE TABLE people WITH ('connector' = 'FakeSource', 'type' = 'source',
  'split.read-interval' = '0', 'schema' = '{ fields { name = string, city = string } }',
  'rows' = '[{ kind = INSERT, fields = [ann, Oslo] }, { kind = INSERT, fields = [bob, Rome] }, { kind = INSERT, fields = [cid, Oslo] }]');
CREATE TABLE files WITH ('connector' = 'LocalFile', 'type' = 'sink', 'path' = '${out}',
  'tmp_path' = '${path.join(dir, 'tmp-sql')}', 'file_format_type' = 'csv', 'have_partition' = 'true',
  'partition_by' = '["city"]', 'password' = 'not-a-real-one');
INSERT INTO files SELECT name, city FROM people;`,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.pipeline.config, /'password' = '\*\*\*'/);
    assert.doesNotMatch(created.body.pipeline.config, /not-a-real-one/);
    assert.deepEqual(
      created.body.pipeline.dag.vertices.map((v: Json) => v.plugin),
      ['FakeSource', 'Sql', 'LocalFile'],
    );
    const started = await api('POST', `/api/v1/jobs/${created.body.id}/run`);
    const run = await waitForRun(
      started.body.id,
      (r) => r.state !== 'queued' && r.state !== 'running',
    );
    assert.equal(run.state, 'succeeded', run.error);
    assert.deepEqual(readdirSync(out).sort(), ['city=Oslo', 'city=Rome']);
    assert.deepEqual(committedLines(path.join(out, 'city=Oslo')).sort(), ['ann', 'cid']);
    assert.deepEqual(committedLines(path.join(out, 'city=Rome')), ['bob']);
  });

  it('retries a failing run as env job.retry.times says, but not one that could not be built', async () => {
    const input = path.join(dir, 'numbers.txt');
    writeFileSync(input, '1\n2\nthree\n');
    const failing = await api('POST', '/api/v1/jobs', {
      name: 'bad-number',
      kind: 'pipeline',
      retry: { maxAttempts: 9 },
      pipeline: {
        config: {
          env: { 'job.retry.times': 1, 'job.retry.interval.seconds': 0 },
          source: [
            {
              plugin_name: 'LocalFile',
              path: input,
              file_format_type: 'text',
              schema: { fields: { n: 'int' } },
            },
          ],
          sink: [{ plugin_name: 'Console' }],
        },
      },
    });
    assert.equal(failing.status, 201, JSON.stringify(failing.body));
    assert.deepEqual(failing.body.retry, { maxAttempts: 2, backoffSec: 0, maxBackoffSec: 0 });
    await api('POST', `/api/v1/jobs/${failing.body.id}/run`);
    const runsOf = async (id: string) =>
      (await api('GET', `/api/v1/runs?jobId=${id}`)).body.runs as Json[];
    let runs: Json[] = [];
    for (let i = 0; i < 100; i++) {
      runs = await runsOf(failing.body.id);
      if (runs.length === 2 && runs.every((r) => r.state === 'failed')) break;
      await sleep(100);
    }
    assert.deepEqual(runs.map((r) => [r.trigger, r.attempt, r.state]).sort(), [
      ['manual', 1, 'failed'],
      ['retry', 2, 'failed'],
    ]);
    assert.match(runs[0]?.error, /line 3, column "n": cannot read "three" as int/);

    // The file is gone when the run starts: the pipeline cannot be built, and the default 3 retries
    // are not made.
    const gone = path.join(dir, 'gone.txt');
    writeFileSync(gone, '1\n');
    const unbuilt = await api('POST', '/api/v1/jobs', {
      name: 'missing-file',
      kind: 'pipeline',
      pipeline: {
        config: {
          source: [{ plugin_name: 'LocalFile', path: gone, file_format_type: 'text' }],
          sink: [{ plugin_name: 'Console' }],
        },
      },
    });
    assert.equal(unbuilt.body.retry.maxAttempts, 4);
    rmSync(gone);
    const run = (await api('POST', `/api/v1/jobs/${unbuilt.body.id}/run`)).body;
    const ended = await waitForRun(run.id, (r) => r.state !== 'queued' && r.state !== 'running');
    assert.equal(ended.state, 'failed');
    assert.match(ended.error, /does not exist/);
    await sleep(300);
    assert.equal((await runsOf(unbuilt.body.id)).length, 1, 'no retry');
  });

  it('refuses a bad pipeline config at creation, naming the problem', async () => {
    const bad = await api('POST', '/api/v1/jobs', {
      name: 'bad-pipeline',
      kind: 'pipeline',
      pipeline: {
        config: { source: [{ plugin_name: 'Kafka' }], sink: [{ plugin_name: 'Console' }] },
      },
    });
    assert.equal(bad.status, 400);
    assert.match(
      bad.body.error.message,
      /^pipeline\.config: Plugin PluginIdentifier.*pluginName='Kafka'\} not found/,
    );
    const both = await api('POST', '/api/v1/jobs', {
      name: 'x',
      kind: 'pipeline',
      cmd: 'echo',
      pipeline: { config: '{}' },
    });
    assert.equal(both.status, 400);
    assert.match(both.body.error.message, /^cmd: a pipeline job runs its pipeline config/);
    const none = await api('POST', '/api/v1/jobs', { name: 'y', kind: 'pipeline' });
    assert.match(none.body.error.message, /^pipeline: required for a pipeline job/);

    // Savepoints and resumes are for pipelines, and a resume needs a savepoint.
    const command = await api('POST', '/api/v1/jobs', { name: 'plain', cmd: 'sleep 5' });
    const run = await api('POST', `/api/v1/jobs/${command.body.id}/run`);
    const savepoint = await api('POST', `/api/v1/runs/${run.body.id}/stop?savepoint=true`);
    assert.equal(savepoint.status, 400);
    assert.match(
      savepoint.body.error.message,
      /is not a pipeline run; only pipelines take a savepoint/,
    );
    const resume = await api('POST', `/api/v1/jobs/${command.body.id}/run?resume=true`);
    assert.equal(resume.status, 400);
    assert.match(resume.body.error.message, /is not a pipeline; only pipelines resume/);
    const maybe = await api('POST', `/api/v1/runs/${run.body.id}/stop?savepoint=maybe`);
    assert.equal(maybe.status, 400);
    assert.match(maybe.body.error.message, /savepoint/);
    await api('POST', `/api/v1/runs/${run.body.id}/stop`);
    const pipelineJob = await api('POST', '/api/v1/jobs', {
      name: 'never-saved',
      kind: 'pipeline',
      pipeline: {
        config: {
          source: [{ plugin_name: 'FakeSource', schema: { fields: { n: 'int' } } }],
          sink: [{ plugin_name: 'Console' }],
        },
      },
    });
    const noSavepoint = await api('POST', `/api/v1/jobs/${pipelineJob.body.id}/run?resume=true`);
    assert.equal(noSavepoint.status, 400);
    assert.match(
      noSavepoint.body.error.message,
      /has no savepoint to resume from: stop a run with a savepoint first/,
    );
  });

  it('stops with a savepoint (SIGUSR1), then resumes: every row once', async () => {
    const out = path.join(dir, 'out');
    const config = {
      env: { 'job.mode': 'STREAMING', 'checkpoint.interval': 200 },
      source: [
        {
          plugin_name: 'FakeSource',
          result_table_name: 'fake',
          'row.num': 300,
          'split.num': 30,
          'split.read-interval': 50,
          'string.length': 20,
          schema: { fields: { id: 'string' } },
        },
      ],
      sink: [
        {
          plugin_name: 'LocalFile',
          path: out,
          tmp_path: path.join(dir, 'tmp'),
          file_format_type: 'json',
        },
      ],
    };
    const job = (
      await api('POST', '/api/v1/jobs', {
        name: 'stream-to-file',
        kind: 'pipeline',
        pipeline: { config },
      })
    ).body;
    const first = (await api('POST', `/api/v1/jobs/${job.id}/run`)).body;
    await waitForRun(
      first.id,
      (r) => (r.metrics?.SinkWriteCount ?? 0) >= 60 && r.checkpointId !== null,
    );
    const stop = await api('POST', `/api/v1/runs/${first.id}/stop?savepoint=true`);
    assert.equal(stop.status, 202);
    const saved = await waitForRun(first.id, (r) => r.state !== 'running');
    assert.equal(saved.state, 'savepoint_done', saved.error);
    const before = committedLines(out);
    assert.ok(before.length >= 60 && before.length < 300, `part of the rows: ${before.length}`);
    assert.equal(before.length, saved.metrics.SinkWriteCount, 'what was written is committed');

    // Resume as a BATCH run of the same job (so it ends by itself) from the savepoint.
    await api('PATCH', `/api/v1/jobs/${job.id}`, {
      pipeline: {
        config: {
          ...config,
          env: { 'job.mode': 'BATCH' },
          source: [{ ...config.source[0], 'split.read-interval': 0 }],
        },
      },
    });
    const resumed = (await api('POST', `/api/v1/jobs/${job.id}/run?resume=true`)).body;
    assert.equal(resumed.trigger, 'resume');
    const done = await waitForRun(resumed.id, (r) => r.state !== 'queued' && r.state !== 'running');
    assert.equal(done.state, 'succeeded', done.error);
    const after = committedLines(out);
    assert.equal(after.length, 300, 'every row');
    assert.equal(new Set(after).size, 300, 'none twice');

    assert.equal(done.metrics.SourceReceivedCount, 300 - before.length, 'only what was left');
  });
});
