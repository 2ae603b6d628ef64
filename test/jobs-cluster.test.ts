// Two agents sharing one PostgreSQL: every fire of a schedule runs exactly once across the cluster,
// and each run is executed by one node.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create as createTar } from 'tar';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient, waitFor, waitRunEnd } from './support/api.ts';
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

  it('runs a package on any node: a node without the upload fetches it from the store', async () => {
    const api = agents.map((agent) => apiClient(agent.url));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cluster-pkg-'));
    // Bigger than one store chunk, so it comes back in several.
    writeFileSync(path.join(dir, 'blob'), randomBytes(3 << 20));
    writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\nwc -c < blob\n', { mode: 0o755 });
    const archive = path.join(dir, 'pkg.tar.gz');
    await createTar({ gzip: true, file: archive, cwd: dir }, ['blob', 'run.sh']);
    const created = await api[0]!('POST', '/api/v1/jobs', { name: 'packaged', cmd: './run.sh' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const put = await fetch(`${agents[0]!.url}/api/v1/jobs/${id}/package`, {
      method: 'PUT',
      headers: { 'content-type': 'application/gzip' },
      body: readFileSync(archive),
    });
    assert.equal(put.status, 200, await put.text());
    // No node has it on disk now: whichever runs it must fetch it.
    for (const agent of agents) {
      rmSync(path.join(agent.dataDir, 'packages', id), { recursive: true, force: true });
    }
    const runId = (await api[1]!('POST', `/api/v1/jobs/${id}/run`)).body.id as string;
    const run = await waitRunEnd(api[1]!, runId, 30_000);
    assert.equal(run.state, 'succeeded', String(run.error));
    const log = (await api[1]!('GET', `/api/v1/runs/${runId}/log`)).body as string;
    assert.equal(log.trim(), String(3 << 20));
    rmSync(dir, { recursive: true, force: true });
  });

  it("stops a run through the other node with the grace Cloudtask's stop asks for", async () => {
    const api = agents.map((agent) => apiClient(agent.url));
    const created = await api[0]!('POST', '/api/v1/jobs', {
      name: 'stubborn',
      // Ignores SIGINT, as does its sleep: only the SIGKILL after the grace ends it.
      cmd: "trap '' INT; sleep 300",
      graceSec: 600,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    await api[0]!('POST', `/api/v1/jobs/${id}/run`);
    const run = await waitFor('the run to start', async () => {
      const { runs } = (await api[0]!('GET', `/api/v1/runs?jobId=${id}&state=running`)).body;
      return runs[0] as { id: string; node: string } | undefined;
    });
    // The stop goes to the node that does not run it; the owner learns of it from the store.
    const { nodes } = (await api[0]!('GET', '/api/v1/nodes')).body as {
      nodes: { id: string; address: string }[];
    };
    const ownerPort = nodes
      .find((n) => n.id === run.node)
      ?.address.split(':')
      .at(-1);
    const other = agents.findIndex((agent) => new URL(agent.url).port !== ownerPort);
    assert.ok(ownerPort !== undefined && other >= 0, JSON.stringify({ nodes, run }));
    const res = await api[other]!('PUT', '/cloudtask/v2/jobs/action', {
      jobid: id,
      action: 'stop',
    });
    assert.equal(res.status, 202);
    // A renewal (every 10 s) brings the request to the owner, then 5 s of grace, not the job's 600.
    const ended = await waitFor(
      'the run to be killed after the 5 s grace',
      async () => {
        const { body } = await api[other]!('GET', `/api/v1/runs/${run.id}`);
        return body.state === 'running' ? undefined : body;
      },
      30_000,
    );
    assert.equal(ended.state, 'canceled');
    assert.equal(ended.signal, 'SIGKILL');
    assert.equal(ended.error, 'stopped with SIGINT');
  });
});
