// SeaTunnel's own REST tests replayed against bosun over v1 (/hazelcast/rest/maps) and v2 (no prefix):
// RestApiIT (apache/seatunnel seatunnel-e2e/…/e2e/RestApiIT.java, 2.3.9) on a two-node cluster that
// shares one PostgreSQL, each node with 20 slots and the tag node=nodeN as SeaTunnel's test sets
// them; and the submit and stop cases of ClusterSeaTunnelContainer.java. Each request and assertion
// is the original's; where bosun cannot take the original's input (a connector option it lacks) or a
// case would fail on SeaTunnel too, the test says so (docs/clients/seatunnel.md lists them).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJson } from '../src/parse-json.ts';
import { startAgent, type RunningAgent } from './support/agent.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';
import { createTestDatabase, startPostgres, type TestPostgres } from './support/postgres.ts';

type Json = Record<string, any>;

const V1 = '/hazelcast/rest/maps';

interface Answer {
  status: number;
  /** Parsed as a Java client reads it: integers beyond 2^53 exact (BigInt). */
  body: any;
  text: string;
}

/** RestAssured's given().body(text).post(url): the body sent as written, no content type forced. */
async function call(method: string, url: string, body?: string, type?: string): Promise<Answer> {
  const res = await fetch(url, {
    method,
    ...(body === undefined ? {} : { body }),
    ...(type === undefined ? {} : { headers: { 'content-type': type } }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
    parsed = parseJson(text, { exactIntegers: true });
  }
  return { status: res.status, body: parsed, text };
}
const get = (url: string) => call('GET', url);
const JSON_UTF8 = 'application/json; charset=utf-8';

/** Polls like Awaitility.untilAsserted: the assertion holds at last, or its last failure is thrown. */
async function eventually(check: () => Promise<void>, tries = 600): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await check();
      return;
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(100);
    }
  }
}

describe('RestApiIT, two nodes with 20 slots each, v1 and v2', () => {
  let server: TestPostgres;
  let dropDatabase: () => Promise<void> = async () => {};
  const nodes: RunningAgent[] = [];
  let outDir = '';
  let streamId = '';
  let batchId = '';
  /** Every API of every node, as RestApiIT's ports map: v1 on the Hazelcast port, v2 on the HTTP one. */
  const apis = (): Array<{ name: string; base: string }> =>
    nodes.flatMap((n, i) => [
      { name: `node${i + 1} v1`, base: `${n.url}${V1}` },
      { name: `node${i + 1} v2`, base: n.url },
    ]);

  before(async () => {
    server = await startPostgres();
    const database = await createTestDatabase(server.url);
    dropDatabase = database.drop;
    outDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-rest-it-'));
    for (const name of ['node1', 'node2']) {
      nodes.push(
        await startAgent({
          args: ['--store', database.url, '--heartbeat', '1s', '--slots', '20'].concat([
            '--labels',
            `node=${name}`,
          ]),
        }),
      );
    }
    await eventually(async () => {
      assert.equal((await get(`${nodes[1]!.url}/overview`)).body.workers, '2');
    });

    // @BeforeEach: stream_fakesource_to_file.conf as "fake_to_file", until RUNNING. bosun's FakeSource
    // and LocalFile lack the original's map/array/row columns and partitioning: the same DAG with the
    // columns and options bosun has.
    const stream = `env {
  job.mode = "STREAMING"
  checkpoint.interval = 5000
}
source {
  FakeSource {
    row.num = 10
    parallelism = 1
    result_table_name = "fake"
    schema = { fields { c_string = string, c_int = int, c_bigint = bigint, c_double = double } }
  }
}
transform {
}
sink {
  LocalFile {
    path = "${outDir}"
    field_delimiter = "\\t"
    row_delimiter = "\\n"
    file_format_type = "text"
  }
}`;
    const a = nodes[0]!.url;
    const submitted = await call(
      'POST',
      `${a}/submit-job?jobName=fake_to_file&format=hocon`,
      stream,
    );
    assert.equal(submitted.status, 200, submitted.text);
    streamId = submitted.body.jobId;
    await eventually(async () => {
      assert.equal((await get(`${a}/job-info/${streamId}`)).body.jobStatus, 'RUNNING');
    });
    // fakesource_to_console.conf as "fake_to_console", until FINISHED (the original, unchanged).
    const batch = `env {
  job.mode = "BATCH"
}
source {
  FakeSource {
    result_table_name = "fake"
    schema {
      fields {
        id = "int"
        name = "string"
        age = "int"
      }
    }
  }
}
sink {
  console {
  }
}`;
    const done = await call('POST', `${a}/submit-job?jobName=fake_to_console&format=hocon`, batch);
    assert.equal(done.status, 200, done.text);
    batchId = done.body.jobId;
    await eventually(async () => {
      assert.equal((await get(`${a}/job-info/${batchId}`)).body.jobStatus, 'FINISHED');
    });
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    await dropDatabase();
    await server?.stop();
    if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
  });

  it('testGetLog: every node lists the job log, on both APIs, and every link serves it', async () => {
    for (const { name, base } of apis()) {
      const all = await get(`${base}/logs`);
      assert.equal(all.status, 200, name);
      assert.ok(all.text.includes(`${streamId}.log`), `${name}: ${all.text}`);
      const mine = await get(`${base}/logs/${streamId}`);
      assert.ok(mine.text.includes(`${streamId}.log`), `${name}: ${mine.text}`);
      // verifyLogLink: each href serves the log, which holds the JobMaster's first line.
      const links = [...mine.text.matchAll(/href\s*=\s*"([^"]+)"/g)].map((m) => m[1] as string);
      assert.ok(links.length > 0, name);
      for (const link of links) {
        const log = await get(link);
        assert.equal(log.status, 200, link);
        assert.ok(log.text.includes('Init JobMaster for Job fake_to_file'), `${link}: ${log.text}`);
      }
    }
  });

  it('testGetRunningJobById and testGetJobById', async () => {
    for (const { name, base } of apis()) {
      const running = await get(`${base}/running-job/${streamId}`);
      assert.equal(running.status, 200, name);
      assert.equal(running.body.jobName, 'fake_to_file');
      assert.equal(running.body.jobStatus, 'RUNNING');
      const finished = await get(`${base}/running-job/${batchId}`);
      assert.equal(finished.body.jobName, 'fake_to_console', name);
      assert.equal(finished.body.jobStatus, 'FINISHED', name);
    }
  });

  it('testGetAnNotExistJobById: {jobId} for an unknown id, 400 without one', async () => {
    for (const { name, base } of apis()) {
      const unknown = await get(`${base}/running-job/123`);
      assert.equal(unknown.status, 200, name);
      assert.equal(unknown.body.jobId, '123');
      assert.equal((await get(`${base}/running-job/`)).status, 400, name);
    }
  });

  const checkDag = (job: Json, id: string, sinkName: string, mode: string) => {
    assert.equal(job.jobDag.jobId, id);
    assert.ok(Object.hasOwn(job.jobDag.pipelineEdges, '1'));
    assert.equal(job.jobDag.pipelineEdges['1'].length, 1);
    assert.equal(job.jobDag.pipelineEdges['1'][0].inputVertexId, '1');
    assert.equal(job.jobDag.pipelineEdges['1'][0].targetVertexId, '2');
    assert.equal(job.jobDag.vertexInfoMap.length, 2);
    const [source, sink] = job.jobDag.vertexInfoMap;
    assert.equal(source.vertexId, 1);
    assert.equal(source.type, 'source');
    assert.equal(source.vertexName, 'pipeline-1 [Source[0]-FakeSource]');
    assert.equal(source.tablePaths[0], 'fake');
    assert.equal(sink.vertexId, 2);
    assert.equal(sink.type, 'sink');
    assert.equal(sink.vertexName, `pipeline-1 [Sink[0]-${sinkName}-MultiTableSink]`);
    assert.equal(sink.tablePaths[0], 'fake');
    assert.equal(job.jobDag.envOptions['job.mode'], mode);
  };

  it('testGetRunningJobs: the streaming job, its physical DAG and env', async () => {
    for (const { name, base } of apis()) {
      const { status, body } = await get(`${base}/running-jobs`);
      assert.equal(status, 200, name);
      const [job] = body as Json[];
      checkDag(job!, streamId, 'LocalFile', 'STREAMING');
      assert.equal(job!.jobDag.envOptions['checkpoint.interval'], '5000');
      assert.equal(job!.jobName, 'fake_to_file');
      assert.equal(job!.jobStatus, 'RUNNING');
    }
  });

  it('testGetJobInfoByJobId: the batch job, its DAG and per-table metrics', async () => {
    for (const { name, base } of apis()) {
      const { status, body } = await get(`${base}/job-info/${batchId}`);
      assert.equal(status, 200, name);
      checkDag(body, batchId, 'console', 'BATCH');
      assert.equal(body.metrics.TableSourceReceivedCount.fake, '5');
      assert.equal(body.metrics.TableSinkWriteCount.fake, '5');
      assert.equal(body.metrics.SinkWriteCount, '5');
      assert.equal(body.metrics.SourceReceivedCount, '5');
      assert.equal(body.jobName, 'fake_to_console');
      assert.equal(body.jobStatus, 'FINISHED');
    }
  });

  it('testOverview and testOverviewFilterByTag: the live members and their slots', async () => {
    for (const { name, base } of apis()) {
      const all = (await get(`${base}/overview`)).body;
      assert.notEqual(all.projectVersion, undefined);
      assert.deepEqual([all.totalSlot, all.workers], ['40', '2'], name);
      const one = (await get(`${base}/overview?node=node1`)).body;
      assert.deepEqual([one.totalSlot, one.workers], ['20', '1'], name);
    }
  });

  it('testGetRunningThreads, testGetThreadDump, testSystemMonitoringInformation', async () => {
    for (const { name, base } of apis()) {
      const threads = (await get(`${base}/running-threads`)).body as Json[];
      assert.ok(threads[0]?.threadName != null && threads[0]?.classLoader != null, name);
      const dump = (await get(`${base}/thread-dump`)).body as Json[];
      for (const key of ['threadName', 'threadState', 'stackTrace', 'threadId']) {
        assert.ok(dump[0]?.[key] != null, `${name}: ${key}`);
      }
      // The original also times this answer (< 5 s); the members are its two nodes.
      const members = (await get(`${base}/system-monitoring-information`)).body as Json[];
      assert.equal(members.length, 2, name);
      // SeaTunnel's members bind "localhost" in its test; bosun's show the address they bind.
      assert.equal(members[0]!.host, '127.0.0.1', name);
      assert.ok(members[0]!.port != null && members[0]!.isMaster != null, name);
    }
  });

  it('testEncryptConfig', async () => {
    const config = JSON.stringify({
      env: { parallelism: 1, 'shade.identifier': 'base64' },
      source: [
        {
          plugin_name: 'MySQL-CDC',
          schema: { fields: { name: 'string', age: 'int' } },
          result_table_name: 'fake',
          parallelism: 1,
          hostname: '127.0.0.1',
          username: 'seatunnel',
          password: 'seatunnel_password',
          'table-name': 'inventory_vwyw0n',
        },
      ],
      transform: [],
      sink: [
        {
          plugin_name: 'Clickhouse',
          host: 'localhost:8123',
          database: 'default',
          table: 'fake_all',
          username: 'seatunnel',
          password: 'seatunnel_password',
        },
      ],
    });
    for (const { name, base } of apis()) {
      const { status, body } = await call('POST', `${base}/encrypt-config`, config);
      assert.equal(status, 200, name);
      assert.equal(body.source[0].result_table_name, 'fake');
      assert.equal(body.source[0].username, 'c2VhdHVubmVs');
      assert.equal(body.source[0].password, 'c2VhdHVubmVsX3Bhc3N3b3Jk');
    }
  });

  // SeaTunnel runs each of these on a fresh cluster; here they share one, in an order that leaves
  // each the tags it starts from.
  it('testClearTags, then testUpdateTagsSuccess and testUpdateTagsFail (v1, PUT)', async () => {
    const node1 = `${nodes[0]!.url}${V1}`;
    const overview = async (query: string) => {
      const { body } = await get(`${node1}/overview${query}`);
      assert.notEqual(body.projectVersion, undefined);
      return [body.totalSlot, body.workers];
    };
    assert.deepEqual(await overview('?node=node1'), ['20', '1']);
    const cleared = await call('PUT', `${node1}/update-tags`, '{}');
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.message, 'update node tags done.');
    assert.deepEqual(await overview('?node=node1'), ['0', '0']);

    assert.deepEqual(await overview('?tag1=dev_1'), ['0', '0']);
    const tags = '{\n    "tag1": "dev_1",\n    "tag2": "dev_2"\n}';
    const set = await call('PUT', `${node1}/update-tags`, tags);
    assert.equal(set.status, 200);
    assert.equal(set.body.message, 'update node tags done.');
    assert.deepEqual(await overview('?tag1=dev_1'), ['20', '1']);

    const empty = await call('PUT', `${node1}/update-tags`);
    assert.equal(empty.status, 400);
    assert.equal(empty.body.message, 'Request body is empty.');
  });

  it('the newest RestApiIT (2.3.10+): submit-job?null&format=hocon is taken by v2 only', async () => {
    // Its helper starts the query from a null string: "null&format=hocon". SeaTunnel's v2 (Jetty)
    // reads "null" as a parameter; its v1 refuses the query, so on v1 this case fails on SeaTunnel too.
    const hocon = `env { job.mode = "BATCH" }
source { FakeSource { plugin_output = "fake", row.num = 5, schema { fields { id = int } } } }
sink { Console { plugin_input = "fake" } }`;
    const base = nodes[1]!.url;
    const v2 = await call('POST', `${base}/submit-job?null&format=hocon`, hocon);
    assert.equal(v2.status, 200, v2.text);
    assert.notEqual(v2.body.jobId, undefined);
    const v1 = await call('POST', `${base}${V1}/submit-job?null&format=hocon`, hocon);
    assert.equal(v1.status, 400);
    assert.equal(v1.body.message, 'Invalid Params format in Params.');
  });
});

// ClusterSeaTunnelContainer's submit and stop cases. The original starts two nodes but sends every
// request to the first; its assertions index finished-jobs from an empty history ([i] for the i-th
// job of the test). Each case therefore gets a fresh agent here, one case at a time. A failure
// message lists the job's runs, with their errors.
describe('ClusterSeaTunnelContainer: submit and stop, v1 (task 0) and v2 (task 1)', () => {
  const JOB_NAME = 'test测试';
  const PARAM_JOB_NAME = 'param_test测试';
  const TASKS = [
    { api: 'v1', prefix: V1, id: 862969647010611201n },
    { api: 'v2', prefix: '', id: 862969647010611202n },
  ];

  /** The test's submitJob: FakeSource 100 rows → Console, the query as the test builds it. */
  const submitJob = (
    base: string,
    mode: string,
    startWithSavePoint: boolean,
    paramJobName: string | null,
  ) => {
    const body = `{
    "env": {
        "job.name": "${JOB_NAME}",
        "job.mode": "${mode}"
    },
    "source": [
        {
            "plugin_name": "FakeSource",
            "result_table_name": "fake",
            "row.num": 100,
            "schema": {
                "fields": {
                    "name": "string",
                    "age": "int",
                    "card": "int"
                }
            }
        }
    ],
    "transform": [
    ],
    "sink": [
        {
            "plugin_name": "Console",
            "source_table_name": ["fake"]
        }
    ]
}`;
    let parameters: string | null = paramJobName === null ? null : `jobName=${paramJobName}`;
    if (startWithSavePoint) parameters = `${parameters}&isStartWithSavePoint=true`;
    const url = `${base}/submit-job${parameters === null ? '' : `?${encodeURI(parameters)}`}`;
    return call('POST', url, body, JSON_UTF8);
  };

  /** The test's submitJobs: two FakeSource 1000 rows → Console configs with params jobId id, id-1. */
  const submitJobs = async (base: string, mode: string, savepoint: boolean, id: bigint) => {
    const jobs = [0n, 1n].map((i) => ({
      params: { jobId: String(id - i), ...(savepoint ? { isStartWithSavePoint: 'true' } : {}) },
      env: { 'job.mode': mode },
      source: [
        {
          plugin_name: 'FakeSource',
          result_table_name: 'fake',
          'row.num': 1000,
          schema: { fields: { name: 'string', age: 'int', card: 'int' } },
        },
      ],
      transform: [],
      sink: [{ plugin_name: 'Console', source_table_name: ['fake'] }],
    }));
    const res = await call('POST', `${base}/submit-jobs`, JSON.stringify(jobs), JSON_UTF8);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body[0].jobId, String(id));
    assert.equal(res.body[1].jobId, String(id - 1n));
    const info = await get(`${base}/job-info/${id}`);
    assert.equal(info.status, 200);
    assert.equal(info.body.jobStatus, 'RUNNING');
  };

  // A fresh agent per case, as the original starts a fresh engine: in this process, since only its
  // HTTP answers and pipeline runs are under test here (the two-node cluster above is real processes).
  const withAgent = async (test: (agent: InProcessAgent) => Promise<void>) => {
    const agent = await startInProcessAgent();
    try {
      await test(agent);
    } finally {
      await agent.stop();
    }
  };

  for (const task of TASKS) {
    for (const custom of [true, false]) {
      const title = `testSubmitJob${custom ? 'With' : 'Without'}CustomJobId${task.api === 'v2' ? 'V2' : ''}`;
      it(`${title}: the name from the query, the custom id, finished-jobs[i]`, async () =>
        withAgent(async (agent) => {
          const base = `${agent.url}${task.prefix}`;
          for (const i of [0, 1]) {
            const param = custom ? `${PARAM_JOB_NAME}&jobId=${task.id}` : PARAM_JOB_NAME;
            const res = await submitJob(base, 'BATCH', false, i === 0 ? param : null);
            assert.equal(res.status, 200, res.text);
            assert.equal(res.body.jobName, i === 0 ? PARAM_JOB_NAME : JOB_NAME);
            const jobId = res.body.jobId as string;
            for (const url of [`${base}/finished-jobs/FINISHED`, `${base}/finished-jobs`]) {
              await eventually(async () => {
                const entry = (await get(url)).body[i];
                assert.ok(entry, url);
                assert.equal(entry.jobName, i === 0 ? PARAM_JOB_NAME : JOB_NAME);
                assert.equal(entry.errorMsg, null);
                assert.equal(entry.jobId, i === 0 && custom ? String(task.id) : jobId);
                // Its runs (a retry resumes from the last checkpoint and reads nothing) if not.
                const runs = async () => (await get(`${agent.url}/api/v1/runs`)).text;
                const counts = [entry.metrics.SourceReceivedCount, entry.metrics.SinkWriteCount];
                assert.deepEqual(
                  counts,
                  ['100', '100'],
                  counts.join() === '100,100' ? '' : await runs(),
                );
                assert.equal(entry.jobStatus, 'FINISHED');
              });
            }
          }
        }));
    }

    it(`testStartWithSavePointWithoutJobId${task.api === 'v2' ? 'V2' : ''}`, async () =>
      withAgent(async (agent) => {
        for (let n = 0; n < 2; n++) {
          const res = await submitJob(`${agent.url}${task.prefix}`, 'BATCH', true, PARAM_JOB_NAME);
          assert.equal(res.status, 400);
          assert.equal(res.body.message, 'Please provide jobId when start with save point.');
        }
      }));

    it(`testStopJob${task.api === 'v2' ? 'V2' : ''}: savepoint → SAVEPOINT_DONE, cancel → CANCELED`, async () =>
      withAgent(async (agent) => {
        const base = `${agent.url}${task.prefix}`;
        for (const i of [0, 1]) {
          for (const [savepoint, state] of [
            [true, 'SAVEPOINT_DONE'],
            [false, 'CANCELED'],
          ] as const) {
            const jobId = (await submitJob(base, 'STREAMING', false, PARAM_JOB_NAME)).body.jobId;
            await eventually(async () => {
              const job = await get(`${base}/running-job/${jobId}`);
              assert.equal(job.status, 200);
              assert.equal(job.body.jobStatus, 'RUNNING');
            });
            // The id goes in as the test writes it: a bare JSON number.
            const parameters = `{"jobId":${jobId},"isStopWithSavePoint":${savepoint}}`;
            const stopped = await call('POST', `${base}/stop-job`, parameters);
            assert.equal(stopped.status, 200, stopped.text);
            assert.equal(stopped.body.jobId, jobId);
            await eventually(async () => {
              const { body } = await get(`${base}/finished-jobs/${state}`);
              // The runs' own states tell a lost savepoint from a slow one when this fails.
              const runs = async () => (await get(`${agent.url}/api/v1/runs`)).text;
              assert.equal(body[i]?.jobId, jobId, body[i]?.jobId === jobId ? '' : await runs());
            });
          }
        }
      }));

    it(`testStopJobs${task.api === 'v2' ? 'V2' : ''}: Java longs in, the same longs out`, async () =>
      withAgent(async (agent) => {
        const base = `${agent.url}${task.prefix}`;
        await submitJobs(base, 'STREAMING', false, task.id);
        const parameters = `[{"jobId":${task.id},"isStopWithSavePoint":false},{"jobId":${task.id - 1n},"isStopWithSavePoint":false}]`;
        const res = await call('POST', `${base}/stop-jobs`, parameters);
        assert.equal(res.status, 200, res.text);
        // RestAssured reads these as Longs: exact, beyond 2^53.
        assert.equal(res.body[0].jobId, task.id);
        assert.equal(res.body[1].jobId, task.id - 1n);
        const jobIds = [String(task.id - 1n), String(task.id)];
        await eventually(async () => {
          const canceled = (await get(`${base}/finished-jobs/CANCELED`)).body as Json[];
          assert.ok(jobIds.includes(canceled[0]?.jobId), JSON.stringify(canceled));
          assert.ok(jobIds.includes(canceled[1]?.jobId), JSON.stringify(canceled));
        });
      }));

    it(`testSubmitJobs${task.api === 'v2' ? 'V2' : ''}: ids as strings, then again from the savepoint`, async () =>
      withAgent(async (agent) => {
        const base = `${agent.url}${task.prefix}`;
        await submitJobs(base, 'BATCH', false, task.id);
        await submitJobs(base, 'BATCH', true, task.id);
      }));
  }
});
