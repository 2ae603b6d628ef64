// SIGTERM as an operator sends it to a busy agent: runs going (one that ignores SIGTERM), schedules
// firing, a console long-poll in flight on a keep-alive connection, a /ws and an event-stream client,
// and requests arriving. The agent must exit by itself (status 0, not its watchdog's 1) with every run
// recorded in a final state and none of their processes left behind.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { apiClient, processAlive, waitFor } from './support/api.ts';
import { startAgent, type RunningAgent } from './support/agent.ts';
import { startInProcessAgent } from './support/in-process-agent.ts';

const FINAL = new Set(['succeeded', 'failed', 'timed_out', 'canceled', 'lost', 'skipped']);

describe('SIGTERM under load', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-shutdown-'));
  const agents: RunningAgent[] = [];
  after(async () => {
    for (const a of agents) await a.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits by itself with every run recorded and no process left', async (t) => {
    const marker = 7000 + (process.pid % 997);
    const agent = await startAgent({ dataDir, args: ['--console-pull-wait', '30s'] });
    agents.push(agent);
    const api = apiClient(agent.url);
    const create = async (body: object): Promise<string> => {
      const res = await api('POST', '/api/v1/jobs', body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id;
    };
    // Ignores SIGTERM, like many real programs: only the SIGKILL after the grace ends it.
    const stubborn = await create({ name: 'stubborn', cmd: `trap '' TERM; sleep ${marker}` });
    const polite = await create({ name: 'polite', cmd: `sleep ${marker}.5` });
    await create({
      name: 'busy',
      cmd: 'sleep 0.3',
      overlap: 'allow',
      schedules: [{ kind: 'every', everySec: 1 }],
    });
    for (const id of [stubborn, polite]) {
      assert.equal((await api('POST', `/api/v1/jobs/${id}/run`)).status, 202);
    }
    await waitFor('both long runs to start', async () =>
      processAlive(`sleep ${marker}`) && processAlive(`sleep ${marker}.5`) ? true : undefined,
    );

    // A console long-poll in flight on a keep-alive connection (fetch keeps connections alive).
    const console = async (body: object) =>
      (
        await fetch(`${agent.url}/api`, { method: 'POST', body: JSON.stringify(body) })
      ).json() as Promise<{
        sessionId: string;
        consumerId: string;
      }>;
    const { sessionId, consumerId } = await console({ action: 'init_session' });
    await console({ action: 'pull_results', sessionId, consumerId });
    const pulling = console({ action: 'pull_results', sessionId, consumerId });
    // Stream clients.
    const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => ws.once('message', resolve));
    const events = await fetch(`${agent.url}/api/v1/events`);
    assert.equal(events.status, 200);
    // Requests keep arriving until the agent stops answering.
    let load = true;
    const loading = (async () => {
      while (load) {
        await fetch(`${agent.url}/api/v1/jobs`).catch(() => undefined);
      }
    })();

    // A request still arriving when the shutdown begins, on a connection the client keeps open:
    // its answer goes out after the server began closing, and the connection must not then hold it.
    const { port } = new URL(agent.url);
    const slow = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => slow.once('connect', resolve));
    const body = JSON.stringify({ name: 'late', cmd: 'true' });
    slow.write(
      `POST /api/v1/jobs HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    // The agent may answer it (201) or, closing, end the connection: either is fine; hanging is not.
    slow.on('error', () => {});
    const answered = new Promise((resolve) => {
      slow.once('data', resolve);
      slow.once('close', resolve);
    });
    setTimeout(() => {
      if (!slow.destroyed) slow.write(body.slice(5));
    }, 300);

    const signalledAt = Date.now();
    agent.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) =>
      agent.child.once('exit', (c) => resolve(c)),
    );
    const exitedAt = Date.now();
    // Reported, not asserted (no timed assertions): the target is the runs' 10 s grace plus 2 s.
    t.diagnostic(`SIGTERM to exit: ${exitedAt - signalledAt} ms`);
    load = false;
    await loading;
    assert.equal(code, 0, `the agent exited by itself, not by its watchdog\n${agent.stderr()}`);
    assert.match(agent.stdout(), /"msg":"stopped"/);
    await pulling.catch(() => undefined);
    await answered;
    slow.destroy();
    ws.terminate();
    await events.body?.cancel().catch(() => undefined);
    assert.equal(processAlive(`sleep ${marker}`), false, 'the stubborn run was killed');
    assert.equal(processAlive(`sleep ${marker}.5`), false, 'the polite run was stopped');

    // Every run the store holds is in a final state: nothing waits for a restart to be recorded.
    const again = await startAgent({ dataDir, args: ['--interval', '1s'] });
    agents.push(again);
    const runs = (await apiClient(again.url)('GET', '/api/v1/runs?limit=500')).body.runs as Array<{
      id: string;
      state: string;
      jobName: string;
      error: string | null;
      startedAt: string | null;
    }>;
    // Runs still queued at the shutdown (the scheduler makes them ahead of time) are pending work
    // that the restarted agent takes up; a run the first agent started must have been recorded.
    const open = runs.filter(
      (r) => !FINAL.has(r.state) && r.startedAt !== null && Date.parse(r.startedAt) < exitedAt,
    );
    assert.deepEqual(open, [], 'runs left open by the shutdown');
    const long = runs.filter((r) => r.jobName === 'stubborn' || r.jobName === 'polite');
    assert.equal(long.length, 2);
    for (const r of long) {
      assert.equal(r.state, 'failed', JSON.stringify(r));
      assert.match(String(r.error), /agent shut down during the run/);
    }
  });
});

describe('a shutdown with answers nobody reads', () => {
  it('cuts their connections after a grace instead of waiting for keepAliveTimeout (72 s)', async () => {
    const agent = await startInProcessAgent();
    // Answers aborted after their headers, a large one among them: undici leaves a connection whose
    // answer is never finished from the server's side.
    for (const p of ['/api/v1/cpu', '/api/v1/openapi.json', '/']) {
      const abort = new AbortController();
      const res = await fetch(agent.url + p, { signal: abort.signal });
      assert.equal(res.status, 200);
      abort.abort();
    }
    const stopped = agent.stop().then(() => 'stopped');
    const stalled = new Promise((resolve) => setTimeout(resolve, 30_000, 'stalled').unref());
    assert.equal(await Promise.race([stopped, stalled]), 'stopped');
  });
});
