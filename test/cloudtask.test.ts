// The Cloudtask agent API (specs/cloudtask.md) served by a real agent: shapes, actions and errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { injectClient, waitFor, waitRunEnd } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

let agent: InProcessAgent;
let api: ReturnType<typeof injectClient>;

const cloudtaskSchedule = {
  turnmode: 5,
  interval: 2,
  startdate: '03/02/2026',
  enddate: '12/31/2027',
  starttime: '09:15',
  endtime: '',
  selectat: '1,3',
  monthlyof: { day: 0, week: '' },
};

before(async () => {
  agent = await startInProcessAgent({ slots: '7' });
  api = injectClient(agent);
});
after(() => agent.stop());

async function createJob(name: string, cmd: string): Promise<string> {
  const res = await api('POST', '/api/v1/jobs', {
    name,
    cmd,
    env: { MODE: 'test', API_TOKEN: 'abc' },
    timeoutSec: 60,
    schedules: [{ kind: 'cloudtask', enabled: 1, ...cloudtaskSchedule }],
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

describe('Cloudtask agent API', () => {
  it('answers _ping with the node, its config and its cache', async () => {
    const { status, body } = await api('GET', '/cloudtask/v2/_ping');
    assert.equal(status, 200);
    const nodes = (await api('GET', '/api/v1/nodes')).body;
    const nodeId = (Array.isArray(nodes) ? nodes : nodes.nodes)[0].id;
    assert.equal(body.key, nodeId);
    assert.match(body.app, /^[0-9a-f]{32}$/);
    assert.equal(body.node.pid, process.pid);
    assert.equal(typeof body.node.timestamp, 'number');
    assert.deepEqual(JSON.parse(Buffer.from(body.node.attach, 'base64').toString()), {
      jobmaxcount: 7,
    });
    assert.equal(body.systemconfig.cache.maxjobs, 7);
    assert.equal(typeof body.systemconfig.cluster.pulse, 'string');
    assert.equal(typeof body.cache.allocversion, 'number');
    assert.equal(typeof body.cache.jobstotal, 'number');
  });

  it('lists jobs as JobBase with Cloudtask schedules verbatim and secrets masked', async () => {
    const before = (await api('GET', '/cloudtask/v2/_ping')).body.cache.allocversion;
    const id = await createJob('ct-list', 'echo hi');
    const after = (await api('GET', '/cloudtask/v2/_ping')).body.cache.allocversion;
    assert.ok(after > before, 'allocversion grows when jobs change');
    const { status, body } = await api('GET', '/cloudtask/v2/jobs');
    assert.equal(status, 200);
    assert.equal(body.content, 'request successed.');
    const base = body.data.jobbase.find((j: { jobid: string }) => j.jobid === id);
    assert.ok(base);
    assert.equal(base.jobname, 'ct-list');
    assert.equal(base.cmd, 'echo hi');
    assert.equal(base.timeout, 60);
    assert.equal(base.filename, '');
    assert.equal(base.filecode, 'd41d8cd98f00b204e9800998ecf8427e');
    assert.deepEqual(base.env, ['MODE=test', 'API_TOKEN=***']);
    assert.equal(base.schedule.length, 1);
    const { id: scheduleId, ...schedule } = base.schedule[0];
    assert.match(scheduleId, /^\d+$/);
    assert.deepEqual(schedule, { enabled: 1, ...cloudtaskSchedule });
    const one = await api('GET', `/cloudtask/v2/jobs/${id}`);
    assert.deepEqual(one.body, { content: 'request successed.', data: { jobbase: base } });
  });

  it('starts a job with action start (202) and ignores a start while it runs', async () => {
    const id = await createJob('ct-start', 'sleep 0.5; echo started by cloudtask');
    const res = await api('PUT', '/cloudtask/v2/jobs/action', {
      runtime: 'default',
      jobid: id,
      action: 'start',
    });
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { content: 'request accepted.' });
    const again = await api('PUT', '/cloudtask/v2/jobs/action', { jobid: id, action: 'start' });
    assert.equal(again.status, 202);
    const runs = (await api('GET', `/api/v1/runs?jobId=${id}`)).body.runs;
    assert.equal(runs.length, 1, 'the second start was ignored (the job forbids overlap)');
    const run = await waitRunEnd(api, runs[0].id);
    assert.equal(run.state, 'succeeded');
  });

  it('stops the active run with SIGINT', async () => {
    const id = await createJob(
      'ct-stop',
      "trap 'echo got SIGINT; exit 7' INT; while :; do sleep 0.1; done",
    );
    await api('PUT', '/cloudtask/v2/jobs/action', { jobid: id, action: 'start' });
    const runId = await waitFor('the run to start', async () => {
      const { runs } = (await api('GET', `/api/v1/runs?jobId=${id}&state=running`)).body;
      return runs[0]?.id as string | undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const res = await api('PUT', '/cloudtask/v2/jobs/action', { jobid: id, action: 'stop' });
    assert.equal(res.status, 202);
    const run = await waitRunEnd(api, runId);
    assert.equal(run.state, 'canceled');
    assert.equal(run.error, 'stopped with SIGINT');
    assert.match((await api('GET', `/api/v1/runs/${runId}/log`)).body, /got SIGINT/);
  });

  it('answers bad requests in its own {content, error} shape, never a silent 202', async () => {
    const unknown = await api('GET', '/cloudtask/v2/jobs/999999');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.content, 'not found.');
    assert.match(unknown.body.error, /job 999999 does not exist/);
    const noJob = await api('PUT', '/cloudtask/v2/jobs/action', {
      jobid: '999999',
      action: 'start',
    });
    assert.equal(noJob.status, 404);
    const badAction = await api('PUT', '/cloudtask/v2/jobs/action', {
      jobid: '1',
      action: 'pause',
    });
    assert.equal(badAction.status, 400);
    assert.match(badAction.body.error, /action must be "start" or "stop"/);
    const missing = await api('PUT', '/cloudtask/v2/jobs/action', { action: 'start' });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /jobid is required/);
    const malformed = await api('PUT', '/cloudtask/v2/jobs/action', '{"jobid": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.content, 'request invalid.');
    const route = await api('GET', '/cloudtask/v2/nothing');
    assert.equal(route.status, 404);
    assert.match(route.body.error, /no route GET \/cloudtask\/v2\/nothing/);
  });
});
