// SeaTunnel's job REST API (v1 and v2 paths) against a real agent, checked against what SeaTunnel's
// own e2e tests assert (specs/seatunnel.md §6): submit, running and finished jobs, job-info, stop
// with and without a savepoint, resume, the batch forms and the error answers. Requests go
// in-process (inject); multipart uploads, exact answer bytes and the log pages' links (built from
// the Host a client sent) go over the wire.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

type Json = Record<string, any>;

let agent: InProcessAgent;
let api: ReturnType<typeof injectClient>;
let dir: string;
before(async () => {
  agent = await startInProcessAgent();
  api = injectClient(agent);
  dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-seatunnel-'));
});
after(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const V1 = '/hazelcast/rest/maps';

const call = async (
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: any }> => {
  const res = await api(method, url, body);
  // Every answer here is JSON, whatever its content type says (a text body must parse too).
  const parsed = typeof res.body === 'string' && res.body !== '' ? JSON.parse(res.body) : res.body;
  return { status: res.status, body: parsed === '' ? undefined : parsed };
};

/** The REST docs' submit-job body: FakeSource (100 rows) → Console. */
const docBody = (mode = 'BATCH', extra: Json = {}) => ({
  env: { 'job.mode': mode, ...extra },
  source: [
    {
      plugin_name: 'FakeSource',
      result_table_name: 'fake',
      'row.num': 100,
      'split.num': 4,
      'split.read-interval': 300,
      schema: { fields: { name: 'string', age: 'int', card: 'int' } },
    },
  ],
  transform: [],
  sink: [{ plugin_name: 'Console', source_table_name: ['fake'] }],
});

const waitFor = async (prefix: string, id: string, status: string): Promise<Json> => {
  for (let i = 0; i < 200; i++) {
    const { body } = await call('GET', `${prefix}/job-info/${id}`);
    if (body.jobStatus === status) return body;
    await sleep(100);
  }
  assert.fail(`job ${id} never reached ${status}`);
};

describe('SeaTunnel job REST API', () => {
  for (const prefix of [V1, '']) {
    const api = prefix === V1 ? 'v1' : 'v2';

    it(`${api}: submit-job answers at once with RUNNING, then FINISHED with its metrics`, async () => {
      const submitted = await call('POST', `${prefix}/submit-job?jobName=test`, docBody());
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
      assert.equal(submitted.body.jobName, 'test');
      assert.match(submitted.body.jobId, /^\d+$/, 'a string id');
      const id = submitted.body.jobId as string;

      const running = await call('GET', `${prefix}/running-job/${id}`);
      assert.equal(
        running.body.jobStatus,
        'RUNNING',
        'RUNNING right after submit (the e2e reads it at once)',
      );
      assert.equal(running.body.jobName, 'test');
      assert.match(running.body.createTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(running.body.envOptions['job.mode'], 'BATCH');
      const list = await call('GET', `${prefix}/running-jobs`);
      assert.ok(list.body.some((j: Json) => j.jobId === id && j.jobStatus === 'RUNNING'));

      const done = await waitFor(prefix, id, 'FINISHED');
      assert.equal(done.errorMsg, null);
      assert.match(done.finishTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(done.metrics.SourceReceivedCount, '100');
      assert.equal(done.metrics.SinkWriteCount, '100');
      assert.equal(done.metrics.sourceReceivedCount, '100', "2.3.3's spelling too");
      assert.deepEqual(done.metrics.TableSourceReceivedCount, { fake: '100' });
      // Both DAG forms: the logical one of 2.3.3–2.3.8 and the physical one of 2.3.9.
      assert.deepEqual(done.jobDag.vertices[0], {
        id: 1,
        name: 'Source[0]-FakeSource-fake(id=1)',
        parallelism: 1,
      });
      assert.deepEqual(done.jobDag.edges, [
        { inputVertex: 'Source[0]-FakeSource-fake', targetVertex: 'Sink[0]-Console-fake' },
      ]);
      assert.equal(done.jobDag.jobId, id);
      assert.deepEqual(done.jobDag.pipelineEdges, {
        '1': [{ inputVertexId: '1', targetVertexId: '2' }],
      });
      assert.deepEqual(done.jobDag.vertexInfoMap, [
        {
          vertexId: 1,
          type: 'source',
          vertexName: 'pipeline-1 [Source[0]-FakeSource]',
          tablePaths: ['fake'],
        },
        {
          vertexId: 2,
          type: 'sink',
          vertexName: 'pipeline-1 [Sink[0]-Console-MultiTableSink]',
          tablePaths: ['fake'],
        },
      ]);

      const finished = await call('GET', `${prefix}/finished-jobs/finished`);
      assert.ok(finished.body.some((j: Json) => j.jobId === id && j.jobStatus === 'FINISHED'));
      assert.deepEqual((await call('GET', `${prefix}/finished-jobs/NOSUCHSTATE`)).body, []);
    });
  }

  it('stops a STREAMING job with a savepoint, resumes it by id, and cancels another', async () => {
    const out = path.join(dir, 'out');
    const body = {
      env: { 'job.mode': 'STREAMING', 'checkpoint.interval': 200, 'job.name': 'fake_to_file' },
      source: [
        {
          plugin_name: 'FakeSource',
          result_table_name: 'fake',
          'row.num': 200,
          'split.num': 20,
          'split.read-interval': 100,
          schema: { fields: { id: 'string' } },
          'string.length': 20,
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
    const { body: submitted } = await call(
      'POST',
      `${V1}/submit-job?jobId=862969647010611201`,
      body,
    );
    assert.equal(submitted.jobId, '862969647010611201', 'a custom jobId is honoured');
    assert.equal(submitted.jobName, 'fake_to_file');
    await waitFor(V1, submitted.jobId, 'RUNNING');
    await sleep(700);
    const stopped = await call('POST', `${V1}/stop-job`, {
      jobId: 862969647010611201n.toString(),
      isStopWithSavePoint: true,
    });
    assert.deepEqual(stopped.body, { jobId: '862969647010611201' });
    await waitFor(V1, submitted.jobId, 'SAVEPOINT_DONE');
    const saved = (await call('GET', `/finished-jobs/SAVEPOINT_DONE`)).body;
    assert.ok(saved.some((j: Json) => j.jobId === '862969647010611201'));

    const again = await call('POST', `${V1}/submit-job?jobId=862969647010611201`, body);
    assert.equal(again.status, 400);
    assert.match(
      again.body.message,
      /has already been submitted and is not starting with a savepoint/,
    );

    const resumed = await call(
      'POST',
      `/submit-job?jobId=862969647010611201&isStartWithSavePoint=true`,
      body,
    );
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    const info = await waitFor('', '862969647010611201', 'RUNNING');
    assert.equal(info.isStartWithSavePoint, true);

    // Cancel: stop without a savepoint ends CANCELED. The id goes as SeaTunnel's tests send it, a
    // bare JSON number beyond 2^53 (JSON.parse would read …200), and comes back as the same digits.
    const res = await fetch(`${agent.url}/stop-jobs`, {
      method: 'POST',
      body: '[{"jobId":862969647010611201,"isStopWithSavePoint":false}]',
    });
    assert.equal(await res.text(), '[{"jobId":862969647010611201}]');
    await waitFor('', '862969647010611201', 'CANCELED');
  });

  it('submit-jobs and stop-jobs take lists and answer string and number ids', async () => {
    const submitted = await call('POST', '/submit-jobs', [
      { params: { jobId: '1000001', jobName: 'SeaTunnel-01' }, ...docBody('STREAMING') },
      { params: { jobId: '1000000', jobName: 'SeaTunnel-02' }, ...docBody('STREAMING') },
    ]);
    assert.deepEqual(submitted.body, [
      { jobId: '1000001', jobName: 'SeaTunnel-01' },
      { jobId: '1000000', jobName: 'SeaTunnel-02' },
    ]);
    const stopped = await call('POST', '/stop-jobs', [
      { jobId: 1000001, isStopWithSavePoint: false },
      { jobId: 1000000, isStopWithSavePoint: false },
    ]);
    assert.deepEqual(stopped.body, [{ jobId: 1000001 }, { jobId: 1000000 }]);
    await waitFor('', '1000001', 'CANCELED');
    const overview = (await call('GET', '/overview')).body;
    assert.equal(typeof overview.projectVersion, 'string');
    assert.match(overview.cancelledJobs, /^\d+$/);
    assert.equal(overview.workers, '1');
  });

  it('checks a whole submit-jobs or stop-jobs list before it starts or stops anything', async () => {
    const before = (await call('GET', '/api/v1/jobs')).body.jobs.length;
    for (const bad of [
      [null],
      [{ params: { jobId: '1000100' }, ...docBody() }, null],
      [
        { params: { jobId: '1000101' }, ...docBody() },
        { params: 'x', ...docBody() },
      ],
      [
        { params: { jobId: '1000102' }, ...docBody() },
        { env: {}, source: 1 },
      ],
      // A name given does not skip the check of the config.
      [
        { params: { jobId: '1000103', jobName: 'first' }, ...docBody() },
        { params: { jobName: 'second' }, ...docBody(), source: [{ plugin_name: 'NoSuchSource' }] },
      ],
    ]) {
      const res = await call('POST', '/submit-jobs', bad);
      assert.equal(res.status, 400, JSON.stringify(res));
      assert.equal(res.body.status, 'fail');
    }
    assert.equal((await call('GET', '/api/v1/jobs')).body.jobs.length, before, 'nothing created');
    for (const bad of [[null], [{ jobId: 1 }, { jobId: {} }], [{ jobId: 1 }, 'x']]) {
      const res = await call('POST', '/stop-jobs', bad);
      assert.equal(res.status, 400, JSON.stringify(res));
      assert.equal(res.body.status, 'fail');
    }
  });

  it('takes the first value of a repeated query parameter, as a servlet does', async () => {
    // The fuzz test's find: `?format&format=1e999` was an array the log list could not read (500).
    const json = await call('GET', '/logs?format=json&format=html');
    assert.equal(json.status, 200);
    assert.ok(Array.isArray(json.body));
    const page = await fetch(`${agent.url}${V1}/logs?format&format=1e999`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  });

  it('encrypt-config leaves what it cannot read as it is, never a 500', async () => {
    for (const source of [{}, 1, true, null, [null], ['x']]) {
      const body = { env: { 'shade.identifier': 'base64' }, source, sink: [] };
      const res = await call('POST', '/encrypt-config', body);
      assert.equal(res.status, 200, JSON.stringify(res));
      assert.deepEqual(res.body.source, source);
    }
  });

  it("answers bad input with SeaTunnel's messages and unknown ids with {jobId}", async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', `${V1}/submit-job`, '', 400, /^Request body is empty\.$/],
      ['POST', '/submit-job', '{nope', 400, /^Invalid JSON format in request body\.$/],
      ['POST', `${V1}/submit-job?jobName`, docBody(), 400, /^Invalid Params format in Params\.$/],
      ['POST', `${V1}/submit-job?jobName=`, docBody(), 400, /^Invalid Params format in Params\.$/],
      ['POST', `${V1}/submit-job?a=1&&b=2`, docBody(), 400, /^Invalid Params format in Params\.$/],
      [
        'POST',
        '/submit-job?isStartWithSavePoint=true',
        docBody(),
        400,
        /^Please provide jobId when start with save point\.$/,
      ],
      [
        'POST',
        '/submit-job',
        { ...docBody(), source: [] },
        400,
        /^Miss <Source> config! Please check the config file\.$/,
      ],
      [
        'POST',
        '/submit-job',
        { ...docBody(), env: { 'job.mode': 'NOPE' } },
        400,
        /^Could not parse value for enum JobMode/,
      ],
      [
        'POST',
        '/submit-job',
        { ...docBody(), sink: [{ plugin_name: 'Nope' }] },
        400,
        /pluginName='Nope'\} not found/,
      ],
      ['POST', '/stop-job', {}, 400, /^jobId cannot be empty\.$/],
      ['POST', '/stop-job', { jobId: 'abc' }, 400, /^For input string: "abc"$/],
      ['GET', '/job-info/', undefined, 400, /^The jobId must not be empty\.$/],
      ['GET', `${V1}/running-job/abc`, undefined, 400, /must be a number/],
      ['POST', '/submit-jobs', { not: 'a list' }, 400, /must be a list of job configs/],
      ['POST', `${V1}/stop-jobs`, '{nope', 400, /^Invalid JSON format in request body\.$/],
      ['POST', '/stop-jobs', { jobId: 1 }, 400, /must be a list of/],
      ['POST', '/encrypt-config', '', 400, /^Request body is empty\.$/],
      [
        'POST',
        '/submit-job?format=xml',
        docBody(),
        400,
        /format must be json, hocon or sql, not "xml"/,
      ],
      ['GET', '/logs/job-424242.log', undefined, 400, /^Log file job-424242\.log not found\.$/],
      ['GET', `${V1}/log/job-424242.log`, undefined, 400, /^Log file job-424242\.log not found\.$/],
    ];
    for (const [method, url, body, status, message] of cases) {
      const res = await call(method, url, body);
      assert.equal(res.status, status, `${method} ${url}`);
      assert.equal(res.body.status, 'fail', `${method} ${url}`);
      assert.match(res.body.message, message, `${method} ${url}`);
    }
    assert.deepEqual((await call('GET', `${V1}/running-job/123`)).body, { jobId: '123' });
    assert.deepEqual((await call('GET', '/job-info/123')).body, { jobId: '123' });
    assert.deepEqual(
      (await call('POST', '/stop-job', { jobId: 123, isStopWithSavePoint: true })).body,
      { jobId: '123' },
    );
  });

  it('takes HOCON with format=hocon and encodes secrets with encrypt-config', async () => {
    const res = await api(
      'POST',
      '/submit-job?format=hocon&jobName=from-hocon',
      `env { job.mode = BATCH }
source { FakeSource { result_table_name = fake, row.num = 3, split.read-interval = 0, schema = { fields { n = int } } } }
sink { Console {} }`,
      { 'content-type': 'text/plain' },
    );
    const body = res.body as Json;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.jobName, 'from-hocon');
    const done = await waitFor('', body.jobId, 'FINISHED');
    assert.equal(done.metrics.SinkWriteCount, '3');

    const encrypted = await call('POST', `${V1}/encrypt-config`, {
      env: { 'shade.identifier': 'base64' },
      source: [
        {
          plugin_name: 'FakeSource',
          result_table_name: 'fake',
          username: 'seatunnel',
          password: 'seatunnel_password',
        },
      ],
      sink: [{ plugin_name: 'Console' }],
    });
    assert.equal(encrypted.body.source[0].result_table_name, 'fake');
    assert.equal(encrypted.body.source[0].username, 'c2VhdHVubmVs');
    assert.equal(encrypted.body.source[0].password, 'c2VhdHVubmVsX3Bhc3N3b3Jk');
  });
});

describe('SeaTunnel REST: SQL configs and uploads', () => {
  const SQL = `/* config
env { job.mode = "BATCH" }
*/
CREATE TABLE fake WITH ('connector' = 'FakeSource', 'type' = 'source', 'row.num' = '6',
  'split.read-interval' = '0', 'schema' = '{ fields { id = int, name = string } }');
CREATE TABLE out WITH ('connector' = 'Console', 'type' = 'sink');
INSERT INTO out SELECT id, UPPER(name) AS name FROM fake;`;

  it('submit-job?format=sql runs the SQL form (RestApiIT 2.3.10+): jobId, the name from the query, the DAG', async () => {
    const res = await api('POST', '/submit-job?format=sql&jobName=from-sql', SQL, {
      'content-type': 'text/plain',
    });
    const body = res.body as Json;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.jobName, 'from-sql');
    assert.match(body.jobId, /^\d+$/);
    assert.ok(Number(body.jobId) <= Number.MAX_SAFE_INTEGER, 'the id fits in a double');
    const native = await call('GET', `/api/v1/jobs/${body.jobId}`);
    assert.equal(native.status, 200, 'a new SeaTunnel id is the bosun job id');
    const done = await waitFor('', body.jobId, 'FINISHED');
    assert.equal(done.metrics.SinkWriteCount, '6');
    assert.deepEqual(
      done.jobDag.vertexInfoMap.map((v: Json) => v.vertexName),
      [
        'pipeline-1 [Source[0]-FakeSource]',
        'pipeline-1 [Transform[0]-Sql]',
        'pipeline-1 [Sink[0]-Console-MultiTableSink]',
      ],
    );
    // The content type fetch gives a string body.
    const bad = await api('POST', '/submit-job?format=sql', 'INSERT INTO out SELECT fake;', {
      'content-type': 'text/plain;charset=UTF-8',
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, {
      status: 'fail',
      message: 'The sink table[out] is not found',
    });
  });

  it('submit-job/upload takes the config as a multipart file, its form from its name', async () => {
    const upload = async (name: string, text: string, query = '') => {
      const form = new FormData();
      form.append('config_file', new Blob([text]), name);
      const res = await fetch(`${agent.url}/submit-job/upload${query}`, {
        method: 'POST',
        body: form,
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const sql = await upload('job.sql', SQL, '?jobName=uploaded');
    assert.equal(sql.status, 200, JSON.stringify(sql.body));
    assert.equal(sql.body.jobName, 'uploaded');
    assert.equal((await waitFor('', sql.body.jobId, 'FINISHED')).metrics.SinkWriteCount, '6');

    const hocon = await upload(
      'job.conf',
      'env { job.mode = BATCH }\nsource { FakeSource { row.num = 2, split.read-interval = 0, schema = { fields { n = int } } } }\nsink { Console {} }',
    );
    assert.equal(hocon.status, 200, JSON.stringify(hocon.body));
    assert.equal((await waitFor('', hocon.body.jobId, 'FINISHED')).metrics.SinkWriteCount, '2');

    const json = await upload('job.json', JSON.stringify(docBody('BATCH')), '?jobId=733100');
    assert.deepEqual(json, { status: 200, body: { jobId: '733100', jobName: 'SeaTunnel_Job' } });

    const broken = await upload('job.json', '{"env":');
    assert.deepEqual(broken, {
      status: 400,
      body: { status: 'fail', message: 'Invalid JSON format in request body.' },
    });
    const form = new FormData();
    form.append('other', 'x');
    const missing = await fetch(`${agent.url}/submit-job/upload`, { method: 'POST', body: form });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as Json).message, /config_file is required/);
    const plain = await call('POST', '/submit-job/upload', docBody());
    assert.equal(plain.status, 400);
    assert.match(plain.body.message, /multipart\/form-data/);
  });
});

describe('SeaTunnel REST: tags, threads and logs', () => {
  it('filters overview by the tags update-tags set, and clears them with {}', async () => {
    assert.equal((await call('GET', '/overview?tag1=dev_1')).body.workers, '0');
    const set = await call('PUT', `${V1}/update-tags`, { tag1: 'dev_1', tag2: 'dev_2' });
    assert.deepEqual(set.body, { status: 'success', message: 'update node tags done.' });
    assert.equal((await call('GET', '/overview?tag1=dev_1')).body.workers, '1');
    assert.deepEqual((await call('POST', '/update-tags', {})).body, { status: 'success' });
    assert.equal((await call('GET', '/overview?tag1=dev_1')).body.workers, '0');
    const empty = await call('POST', `${V1}/update-tags`, '');
    assert.equal(empty.status, 400);
    assert.equal(empty.body.message, 'Request body is empty.');
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`t${i}`, 'v']));
    const tooMany = await call('POST', '/update-tags', many);
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body, {
      status: 'fail',
      message: 'a node takes at most 64 labels, not 65; send fewer',
    });
  });

  it('lists threads, and the logs of pipeline jobs as json, html and text', async () => {
    const threads = (await call('GET', `${V1}/thread-dump`)).body as Json[];
    assert.ok(threads.length > 0);
    for (const key of ['threadName', 'threadId', 'threadState', 'stackTrace']) {
      assert.ok(key in (threads[0] as Json));
    }
    const running = (await call('GET', '/running-threads')).body as Json[];
    assert.ok(running[0]?.threadName && running[0]?.classLoader, JSON.stringify(running[0]));
    const { body: submitted } = await call('POST', '/submit-job?jobName=logged', docBody('BATCH'));
    await waitFor('', submitted.jobId, 'FINISHED');
    const list = (await call('GET', '/logs?format=json')).body as Json[];
    const entry = list.find((l) => l.logName === `job-${submitted.jobId}.log`);
    assert.ok(entry, JSON.stringify(list));
    const html = await (await fetch(`${agent.url}/logs`)).text();
    assert.match(html, /<title>Seatunnel log<\/title>/);
    assert.equal(entry.logLink, `${agent.url}/logs/job-${submitted.jobId}.log`);
    assert.equal(entry.node, new URL(agent.url).host);
    // The job's own list (what the engine UI's Log tab asks for): its file alone.
    const own = (await call('GET', `/logs/${submitted.jobId}?format=json`)).body as Json[];
    assert.deepEqual(own, [entry]);
    assert.deepEqual((await call('GET', '/logs/424242?format=json')).body, []);
    for (const url of [entry.logLink, `${agent.url}/log/job-${submitted.jobId}.log`]) {
      const log = await fetch(url);
      assert.equal(log.status, 200, url);
      assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await log.text(), /SeaTunnelRow#kind=INSERT/);
    }
    const v1 = (await call('GET', `${V1}/logs/${submitted.jobId}?format=json`)).body as Json[];
    assert.equal(v1[0]?.logLink, `${agent.url}${V1}/logs/job-${submitted.jobId}.log`);
    const names = (await call('GET', '/get-all-log-name')).body as string[];
    assert.ok(names.includes(`job-${submitted.jobId}.log`), JSON.stringify(names));
    const page = await (await fetch(`${agent.url}/log`)).text();
    assert.ok(page.includes(`<a href="log/job-${submitted.jobId}.log">`), page);
  });
});
