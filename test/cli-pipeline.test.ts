// `bosun pipeline run FILE` as a user meets it: a child process running a pipeline config here.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT } from '../src/cli/exit-codes.ts';
import { runBosun, startAgent, type RunningAgent } from './support/agent.ts';

describe('bosun pipeline run', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cli-pipeline-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a HOCON config to the Console: rows on stdout, the outcome on stderr, exit 0', async () => {
    const file = path.join(dir, 'fake_to_console.conf');
    writeFileSync(
      file,
      `env { job.mode = "BATCH", job.name = "fake_to_console" }
source { FakeSource { result_table_name = "fake", split.read-interval = 0, rows = [{ kind = INSERT, fields = ["a", 1] }], schema = { fields { name = string, age = int } } } }
sink { Console {} }`,
    );
    const r = await runBosun(['pipeline', 'run', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'output rowType: name<STRING>, age<INT>\n' +
        'subtaskIndex=0  rowIndex=1:  SeaTunnelRow#tableId=fake SeaTunnelRow#kind=INSERT : a, 1\n',
    );
    assert.match(
      r.stderr,
      /^bosun: fake_to_console FINISHED \(read 1 rows, wrote 1 in \d+\.\d s\)\n$/,
    );
  });

  it('runs a SQL config, its form told by the .sql name', async () => {
    const file = path.join(dir, 'upper.sql');
    writeFileSync(
      file,
      `/* config
env { job.mode = "BATCH", job.name = "upper" }
*/
CREATE TABLE people WITH ('connector' = 'FakeSource', 'type' = 'source', 'split.read-interval' = '0',
  'rows' = '[{ kind = INSERT, fields = ["ann", 41] }]', 'schema' = '{ fields { name = string, age = int } }');
CREATE TABLE screen WITH ('connector' = 'Console', 'type' = 'sink');
INSERT INTO screen SELECT UPPER(name) AS name, age + 1 AS next FROM people;`,
    );
    const r = await runBosun(['pipeline', 'run', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SeaTunnelRow#kind=INSERT : ANN, 42\n$/);
    assert.match(r.stderr, /^bosun: upper FINISHED/);
  });

  it('runs a JSON config with -i variables into files', async () => {
    const file = path.join(dir, 'job.json');
    writeFileSync(
      file,
      JSON.stringify({
        env: { 'job.mode': 'BATCH' },
        source: [
          {
            plugin_name: 'FakeSource',
            'row.num': 50,
            'split.read-interval': 0,
            schema: { fields: { n: 'int' } },
          },
        ],
        sink: [
          {
            plugin_name: 'LocalFile',
            path: '${OUT}',
            tmp_path: path.join(dir, 'tmp'),
            file_format_type: 'csv',
          },
        ],
      }),
    );
    // JSON configs take no substitution: ${OUT} is a literal directory name there.
    const r = await runBosun(['pipeline', 'run', file], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = path.join(dir, '${OUT}');
    const lines = readdirSync(out).flatMap((f) =>
      readFileSync(path.join(out, f), 'utf8').trim().split('\n'),
    );
    assert.equal(lines.length, 50);
    assert.ok(lines.every((l) => /^\d+$/.test(l)));

    const conf = path.join(dir, 'vars.conf');
    writeFileSync(
      conf,
      `source { FakeSource { row.num = 5, split.read-interval = 0, schema = { fields { n = int } } } }
sink { LocalFile { path = \${OUT}, tmp_path = "${path.join(dir, 'tmp')}", file_format_type = text } }`,
    );
    const withVar = await runBosun([
      'pipeline',
      'run',
      conf,
      '-i',
      `OUT=${path.join(dir, 'vars')}`,
    ]);
    assert.equal(withVar.code, 0, withVar.stderr);
    assert.equal(readdirSync(path.join(dir, 'vars')).length, 1);
  });

  it('exits with a message naming the problem for a bad config, a missing file or a failing run', async () => {
    const bad = path.join(dir, 'bad.conf');
    writeFileSync(bad, 'source { Kafka {} }\nsink { Console {} }');
    const r = await runBosun(['pipeline', 'run', bad]);
    assert.equal(r.code, EXIT.INVALID);
    assert.match(r.stderr, /pluginName='Kafka'\} not found\. Known sources: FakeSource/);
    const missing = await runBosun(['pipeline', 'run', path.join(dir, 'nope.conf')]);
    assert.equal(missing.code, EXIT.NOT_FOUND);
    assert.match(missing.stderr, /cannot read .*nope\.conf/);
    const noSchema = path.join(dir, 'no-schema.conf');
    writeFileSync(noSchema, 'source { FakeSource {} }\nsink { Console {} }');
    const failed = await runBosun(['pipeline', 'run', noSchema]);
    assert.equal(failed.code, EXIT.FAILED);
    assert.match(failed.stderr, /failed: Schema config need option \[schema\]/);
    const unset = path.join(dir, 'unset.conf');
    writeFileSync(
      unset,
      'source { FakeSource { path = ${NOT_SET_ANYWHERE} } }\nsink { Console {} }',
    );
    const sub = await runBosun(['pipeline', 'run', unset]);
    assert.equal(sub.code, EXIT.INVALID);
    assert.match(sub.stderr, /unresolved substitution \$\{NOT_SET_ANYWHERE\}/);
  });
});

describe('bosun submit, stop and resume against a running agent', () => {
  let agent: RunningAgent;
  let dir: string;
  before(async () => {
    agent = await startAgent();
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cli-submit-'));
  });
  after(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const bosun = (args: string[]) => runBosun([...args, '--url', agent.url]);
  const run = async (id: string) =>
    (await (await fetch(`${agent.url}/api/v1/runs/${id}`)).json()) as {
      state: string;
      metrics: Record<string, number> | null;
    };

  it('submits a config and follows it to the end', async () => {
    const file = path.join(dir, 'demo.conf');
    writeFileSync(
      file,
      `env { job.mode = BATCH, job.name = demo }
source { FakeSource { result_table_name = fake, row.num = 2, split.read-interval = 0, schema = { fields { n = int } } } }
sink { Console {} }`,
    );
    const r = await bosun(['submit', file, '--follow']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /created pipeline demo \(id \d+\)/);
    assert.equal((r.stdout.match(/SeaTunnelRow#kind=INSERT/g) ?? []).length, 2);
    const again = await bosun(['submit', file]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^\d+\n$/, 'the run id');
    assert.match(again.stderr, /replaced pipeline demo/);
  });

  it('stops a streaming pipeline with a savepoint and resumes it', async () => {
    const file = path.join(dir, 'stream.json');
    writeFileSync(
      file,
      JSON.stringify({
        env: { 'job.mode': 'STREAMING', 'checkpoint.interval': 200 },
        source: [
          {
            plugin_name: 'FakeSource',
            'row.num': 100,
            'split.num': 20,
            'split.read-interval': 100,
            schema: { fields: { n: 'int' } },
          },
        ],
        sink: [
          {
            plugin_name: 'LocalFile',
            path: path.join(dir, 'out'),
            tmp_path: path.join(dir, 'tmp'),
            file_format_type: 'csv',
          },
        ],
      }),
    );
    const submitted = await bosun(['submit', file, '--name', 'stream']);
    assert.equal(submitted.code, 0, submitted.stderr);
    const first = submitted.stdout.trim();
    while (((await run(first)).metrics?.SinkWriteCount ?? 0) < 10) await sleep(100);
    const stop = await bosun(['stop', 'stream', '--savepoint']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /with a savepoint; resume it with: bosun resume stream/);
    while ((await run(first)).state === 'running') await sleep(100);
    assert.equal((await run(first)).state, 'savepoint_done');

    const resumed = await bosun(['resume', 'stream']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const second = resumed.stdout.trim();
    assert.notEqual(second, first);
    while ((await run(second)).state === 'queued') await sleep(50);
    assert.equal((await bosun(['stop', 'stream'])).code, 0);
    while ((await run(second)).state === 'running') await sleep(100);
    assert.equal((await run(second)).state, 'canceled');
    const nothing = await bosun(['stop', 'stream']);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /has no running run/);
  });
});
