// SeaTunnel's engine UI (apache/seatunnel `seatunnel-engine/seatunnel-engine-ui`, 2.3.9) against a real
// agent running real pipelines: each page's requests replayed in the order the page makes them, and
// every field the page reads checked the way the page reads it (docs/clients/seatunnel.md lists
// them). The job detail page sums `Number(metrics[<map>][tablePath])` over each source and sink
// vertex: a missing map throws in the UI (the page crashed), a missing table gives NaN.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAgent, type RunningAgent } from './support/agent.ts';

type Json = Record<string, any>;

const SOURCE_MAPS = [
  'TableSourceReceivedBytes',
  'TableSourceReceivedCount',
  'TableSourceReceivedQPS',
  'TableSourceReceivedBytesPerSeconds',
] as const;
const SINK_MAPS = [
  'TableSinkWriteBytes',
  'TableSinkWriteCount',
  'TableSinkWriteQPS',
  'TableSinkWriteBytesPerSeconds',
] as const;

let agent: RunningAgent;
before(async () => {
  agent = await startAgent({ args: ['--slots', '3', '--labels', 'role=etl'] });
});
after(async () => {
  await agent?.stop();
});

/** The UI's axios `get`: relative to the page's origin (VITE_APP_API_BASE is empty), JSON back. */
const get = async (url: string): Promise<any> => {
  const res = await fetch(agent.url + url);
  assert.equal(res.status, 200, `GET ${url}: ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /json/, `GET ${url} answers JSON`);
  return res.json();
};

/** FakeSource → Sql → Console, with the tables the detail page looks up: fake (source), adults (sink). */
const pipeline = (mode: 'BATCH' | 'STREAMING', rows: number) => ({
  env: { 'job.name': `ui-${mode.toLowerCase()}`, 'job.mode': mode, 'checkpoint.interval': 2000 },
  source: [
    {
      plugin_name: 'FakeSource',
      plugin_output: 'fake',
      'row.num': rows,
      'split.num': 5,
      'split.read-interval': 200,
      schema: { fields: { name: 'string', age: 'int' } },
    },
  ],
  transform: [
    {
      plugin_name: 'Sql',
      plugin_input: 'fake',
      plugin_output: 'adults',
      query: 'select name, age from fake',
    },
  ],
  sink: [{ plugin_name: 'Console', plugin_input: 'adults' }],
});

const submit = async (body: Json): Promise<string> => {
  const res = await fetch(`${agent.url}/submit-job`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as Json).jobId as string;
};

const jobInfo = async (id: string, until: (job: Json) => boolean): Promise<Json> => {
  for (let i = 0; i < 300; i++) {
    const job = await get(`/job-info/${id}`);
    if (until(job)) return job;
    await sleep(100);
  }
  assert.fail(`job ${id} never reached the awaited state`);
};

/** The detail page's table: one row per source and sink vertex, its eight cells as the page computes them. */
function detailCells(job: Json): Array<{ vertex: Json; cells: Record<string, number> }> {
  const rows = (job.jobDag?.vertexInfoMap ?? []).filter((v: Json) => v.type !== 'transform');
  return rows.map((vertex: Json) => {
    const cells: Record<string, number> = {};
    for (const key of [...SOURCE_MAPS, ...SINK_MAPS]) {
      const mine = key.startsWith('TableSource')
        ? vertex.type === 'source'
        : vertex.type === 'sink';
      // detail.tsx: row.tablePaths.reduce((s, path) => s + Number(job.metrics?.[key][path]), 0)
      cells[key] = mine
        ? vertex.tablePaths.reduce(
            (s: number, path: string) => s + Number(job.metrics?.[key][path]),
            0,
          )
        : 0;
    }
    return { vertex, cells };
  });
}

/** Everything the detail page reads, checked as it reads it. */
function checkDetail(
  job: Json,
  id: string,
): Array<{ vertex: Json; cells: Record<string, number> }> {
  assert.equal(job.jobId, id);
  assert.equal(typeof job.jobName, 'string');
  assert.equal(typeof job.jobStatus, 'string');
  // parse(res.createTime, 'yyyy-MM-dd HH:mm:ss', new Date()) drives the duration.
  assert.match(job.createTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  // The Configuration tab: envOptions || jobDag.envOptions.
  assert.equal((job.envOptions ?? job.jobDag.envOptions)['job.mode'] !== undefined, true);
  // The DAG: pipelineEdges and vertexInfoMap.
  assert.equal(typeof job.jobDag.pipelineEdges, 'object');
  for (const v of job.jobDag.vertexInfoMap) {
    assert.equal(typeof v.vertexId, 'number');
    assert.ok(['source', 'transform', 'sink'].includes(v.type), v.type);
    assert.equal(typeof v.vertexName, 'string');
    assert.ok(Array.isArray(v.tablePaths) && v.tablePaths.length > 0, JSON.stringify(v));
  }
  // The drawer walks each map's keys: all eight maps are objects of numeric strings.
  for (const key of [...SOURCE_MAPS, ...SINK_MAPS]) {
    const map = job.metrics[key];
    assert.equal(typeof map, 'object', `${key} is there`);
    for (const [table, value] of Object.entries(map)) {
      assert.equal(typeof value, 'string', `${key}.${table}`);
      assert.ok(Number.isFinite(Number(value)), `${key}.${table} = ${String(value)}`);
    }
  }
  const table = detailCells(job);
  for (const { vertex, cells } of table) {
    for (const [key, value] of Object.entries(cells)) {
      assert.ok(!Number.isNaN(value), `${vertex.vertexName} ${key} is NaN`);
    }
  }
  return table;
}

describe("SeaTunnel's engine UI, page by page", () => {
  let batchId = '';
  let streamId = '';

  it('Overview: the slots and workers of the live members, the job counts', async () => {
    const overview = await get('/overview');
    for (const key of [
      'projectVersion',
      'gitCommitAbbrev',
      'totalSlot',
      'unassignedSlot',
      'workers',
      'runningJobs',
      'finishedJobs',
      'failedJobs',
      'cancelledJobs',
    ]) {
      assert.equal(typeof overview[key], 'string', key);
    }
    assert.equal(overview.workers, '1');
    assert.equal(overview.totalSlot, '3', "this node's --slots");
    assert.equal(overview.unassignedSlot, '3');
    // The tag filter (the node's --labels).
    assert.equal((await get('/overview?role=etl')).totalSlot, '3');
    assert.deepEqual(
      [(await get('/overview?role=web')).workers, (await get('/overview?role=web')).totalSlot],
      ['0', '0'],
    );
  });

  it('Jobs: running and finished lists with the columns the tables show', async () => {
    streamId = await submit(pipeline('STREAMING', 1_000_000));
    batchId = await submit(pipeline('BATCH', 50));
    const running = (await get('/running-jobs')) as Json[];
    const listed = running.find((j) => j.jobId === streamId);
    assert.ok(listed, JSON.stringify(running.map((j) => j.jobId)));
    for (const key of ['jobId', 'jobName', 'createTime', 'jobStatus']) {
      assert.equal(typeof listed[key], 'string', key);
    }
    await jobInfo(batchId, (j) => j.jobStatus === 'FINISHED');
    const finished = (await get('/finished-jobs')) as Json[];
    const done = finished.find((j) => j.jobId === batchId);
    assert.ok(done, JSON.stringify(finished.map((j) => j.jobId)));
    assert.equal(done.jobStatus, 'FINISHED');
    assert.equal(done.jobName, 'ui-batch');
    // A running job holds a slot.
    const overview = await get('/overview');
    assert.equal(overview.totalSlot, '3');
    assert.equal(overview.unassignedSlot, '2', 'the streaming job holds one slot');
    assert.equal(overview.finishedJobs, '1');
  });

  it('Job detail of a finished job: every cell a number, counts and rates real', async () => {
    const job = await get(`/job-info/${batchId}`);
    const table = checkDetail(job, batchId);
    assert.deepEqual(
      table.map((r) => [r.vertex.type, r.vertex.tablePaths]),
      [
        ['source', ['fake']],
        ['sink', ['adults']],
      ],
    );
    const [source, sink] = table.map((r) => r.cells);
    assert.equal(source?.TableSourceReceivedCount, 50);
    assert.equal(sink?.TableSinkWriteCount, 50);
    assert.ok((source?.TableSourceReceivedBytes ?? 0) > 0);
    assert.ok((source?.TableSourceReceivedQPS ?? 0) > 0, 'a real rate');
    assert.ok((sink?.TableSinkWriteBytesPerSeconds ?? 0) > 0, 'a real rate');
    // Rates as SeaTunnel writes them: Java doubles.
    assert.match(job.metrics.TableSourceReceivedQPS.fake, /^\d+\.\d+(E-?\d+)?$/);
    assert.match(job.metrics.SourceReceivedQPS, /^\d+\.\d+(E-?\d+)?$/);
    assert.equal(job.metrics.TableSinkWriteCount.adults, '50');
    assert.equal(job.errorMsg, null, 'the Exception tab is empty');
  });

  it('Job detail of a running job, polled as the page polls it: rates grow, never NaN', async () => {
    const job = await jobInfo(streamId, (j) => Number(j.metrics?.TableSinkWriteCount?.adults) > 0);
    assert.equal(job.jobStatus, 'RUNNING');
    const [source, sink] = checkDetail(job, streamId).map((r) => r.cells);
    assert.ok((source?.TableSourceReceivedQPS ?? 0) > 0);
    assert.ok((sink?.TableSinkWriteQPS ?? 0) > 0);
    // running-job/:id, the other detail request, answers the same job.
    assert.equal((await get(`/running-job/${streamId}`)).jobId, streamId);
  });

  it('Job detail right after submit: the tables are listed before their first row', async () => {
    const id = await submit({
      ...pipeline('STREAMING', 10),
      source: [{ ...pipeline('STREAMING', 10).source[0], 'split.read-interval': 60_000 }],
    });
    const job = await get(`/job-info/${id}`);
    checkDetail(job, id);
    assert.equal(job.metrics.TableSinkWriteQPS.adults !== undefined, true);
    await fetch(`${agent.url}/stop-job`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobId: id, isStopWithSavePoint: false }),
    });
  });

  it("Log tab: the job's log files, each link serving the log", async () => {
    const logs = (await get(`/logs/${batchId}?format=json`)) as Json[];
    assert.equal(logs.length, 1, JSON.stringify(logs));
    const [log] = logs as [Json];
    assert.equal(log.logName, `job-${batchId}.log`);
    assert.equal(log.node, new URL(agent.url).host);
    // The tab shows each file in an iframe of logLink.
    const page = await fetch(log.logLink);
    assert.equal(page.status, 200);
    const text = await page.text();
    assert.match(text, /SeaTunnelRow#kind=INSERT/);
    // getJobLogContent: /log/<logName>.
    assert.equal(await (await fetch(`${agent.url}/log/${log.logName}`)).text(), text);
  });

  it('Master and Workers: the members, split by isMaster, with the columns shown', async () => {
    const members = (await get('/system-monitoring-information')) as Json[];
    const masters = members.filter((m) => m.isMaster === String(true));
    const workers = members.filter((m) => m.isMaster === String(false));
    assert.equal(masters.length, 1);
    assert.equal(workers.length, 0, 'one node: it is the master');
    for (const key of ['host', 'port', 'physical.memory.total', 'heap.memory.used']) {
      assert.equal(typeof masters[0]?.[key], 'string', key);
    }
    // ViewLog: every log of the cluster, each link serving it.
    const logs = (await get('/logs?format=json')) as Json[];
    assert.ok(logs.some((l) => l.logName === `job-${streamId}.log`));
    for (const l of logs) assert.equal((await fetch(l.logLink)).status, 200, l.logLink);
  });

  it('stops the streaming job as its id is sent (a Java long, as a number)', async () => {
    const res = await fetch(`${agent.url}/stop-job`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"jobId":${streamId},"isStopWithSavePoint":false}`,
    });
    assert.equal(((await res.json()) as Json).jobId, streamId);
    await jobInfo(streamId, (j) => j.jobStatus === 'CANCELED');
  });
});
