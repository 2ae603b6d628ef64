// Failover in a cluster: when the node running a run dies (SIGKILL, so it never says goodbye), another
// node sharing the PostgreSQL store sees the run's lease expire, marks the run lost and runs the retry
// itself. Waits for the real lease (12 s). test/cluster-faults.test.ts covers the other faults.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient, processAlive, waitFor } from './support/api.ts';
import type { RunningAgent } from './support/agent.ts';
import { startCluster, type TestCluster } from './support/cluster.ts';

interface RunView {
  id: string;
  state: string;
  attempt: number;
  trigger: string;
  node: string | null;
  error: string | null;
}

describe('failover between two agents on one PostgreSQL', () => {
  let cluster: TestCluster | undefined;
  let agents: RunningAgent[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-failover-'));
  const marker = 7000 + (process.pid % 997);

  before(async () => {
    cluster = await startCluster(2);
    agents = cluster.agents;
  });
  after(async () => {
    // The dead node's spawn helper kills its run; should it not have, end it here.
    try {
      process.kill(-Number(readFileSync(`${dir}/pgid`, 'utf8')), 'SIGKILL');
    } catch {
      // Already gone.
    }
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("marks a dead node's run lost once its lease expires and retries it on the other node", async () => {
    const [a] = agents.map((agent) => apiClient(agent.url));
    const created = await a!('POST', '/api/v1/jobs', {
      name: 'failover',
      // The first attempt hangs and records its process group; the retry finishes at once.
      cmd: `if [ "$BOSUN_ATTEMPT" = 1 ]; then echo $$ > ${dir}/pgid; sleep ${marker}; fi; echo attempt $BOSUN_ATTEMPT`,
      retry: { maxAttempts: 2, backoffSec: 0, maxBackoffSec: 0 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = await a!('POST', `/api/v1/jobs/${created.body.id}/run`);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const runs = async (): Promise<RunView[]> =>
      (await a!('GET', `/api/v1/runs?jobId=${created.body.id}`)).body.runs;
    const first = await waitFor('the first attempt to run', async () =>
      (await runs()).find((r) => r.state === 'running' && processAlive(`sleep ${marker}`)),
    );

    // Kill whichever node claimed it; the other one must take over.
    const nodeIds = await Promise.all(
      agents.map(async (agent) => {
        const { body } = await apiClient(agent.url)('GET', '/api/v1/nodes');
        return (body.nodes as { id: string; self: boolean }[]).find((n) => n.self)?.id;
      }),
    );
    const ownerIndex = nodeIds.indexOf(first.node ?? '');
    assert.ok(ownerIndex >= 0, `the run's node ${first.node} is one of the two agents`);
    const owner = agents[ownerIndex]!;
    const survivor = apiClient(agents[1 - ownerIndex]!.url);
    owner.child.kill('SIGKILL');
    await new Promise((resolve) => owner.child.once('exit', resolve));

    const survivorRuns = async (): Promise<RunView[]> =>
      (await survivor('GET', `/api/v1/runs?jobId=${created.body.id}`)).body.runs;
    const lost = await waitFor(
      'the run to be marked lost',
      async () => (await survivorRuns()).find((r) => r.id === first.id && r.state === 'lost'),
      60_000,
    );
    assert.match(String(lost.error), /lease/);
    const retry = await waitFor('the retry to succeed', async () =>
      (await survivorRuns()).find((r) => r.attempt === 2 && r.state === 'succeeded'),
    );
    assert.equal(retry.trigger, 'retry');
    assert.equal(retry.node, nodeIds[1 - ownerIndex], 'the surviving node ran the retry');
    const log = await fetch(`${agents[1 - ownerIndex]!.url}/api/v1/runs/${retry.id}/log`);
    assert.equal((await log.text()).trim(), 'attempt 2');
  });
});
