// Two agents sharing one PostgreSQL: every fire of a schedule runs exactly once across the cluster,
// and each run is executed by one node.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient, waitFor } from './support/api.ts';
import type { RunningAgent } from './support/agent.ts';
import { startCluster, type TestCluster } from './support/cluster.ts';

describe('two agents on one PostgreSQL', () => {
  let cluster: TestCluster | undefined;
  let agents: RunningAgent[] = [];

  before(async () => {
    cluster = await startCluster(2);
    agents = cluster.agents;
  });
  after(async () => {
    await cluster?.stop();
  });

  it('runs each fire once, on one node, however the nodes race', async () => {
    const [a, b] = agents.map((agent) => apiClient(agent.url));
    const created = await a!('POST', '/api/v1/jobs', {
      name: 'shared',
      cmd: 'echo "$BOSUN_RUN_ID"',
      overlap: 'allow',
      schedules: [{ kind: 'every', everySec: 1 }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // The other node sees the same job through the shared store.
    assert.equal((await b!('GET', '/api/v1/jobs/shared')).body.id, created.body.id);
    await sleep(6000);
    await b!('PATCH', '/api/v1/jobs/shared', { enabled: false });
    const runs = await waitFor('the runs to finish', async () => {
      const { body } = await a!('GET', `/api/v1/runs?jobId=${created.body.id}&limit=500`);
      return body.runs.every(
        (r: { state: string }) => r.state !== 'queued' && r.state !== 'running',
      )
        ? (body.runs as { scheduledFor: string; state: string; node: string }[])
        : undefined;
    });
    assert.ok(runs.length >= 4, `runs: ${runs.length}`);
    const fires = runs.map((r) => r.scheduledFor);
    assert.equal(new Set(fires).size, fires.length, 'no fire has two runs');
    const steps = fires.map((f) => Date.parse(f)).sort((x, y) => x - y);
    for (let i = 1; i < steps.length; i += 1) {
      assert.equal(
        steps[i]! - steps[i - 1]!,
        1000,
        'no fire is missing between the first and the last',
      );
    }
    assert.ok(
      runs.every((r) => r.state === 'succeeded'),
      JSON.stringify(runs.map((r) => r.state)),
    );
    const nodes = new Set(runs.map((r) => r.node));
    assert.ok(nodes.size >= 1 && nodes.size <= 2);
  });
});
