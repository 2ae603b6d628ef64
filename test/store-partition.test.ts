// The agent's connection to PostgreSQL blackholed (open, silent) while it runs a job: its lease
// renewals hang, and the agent must stop the run itself before the lease could run out and another
// node take it over (scheduling.md §5.4), judged from the process itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiClient, processAlive, waitFor } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';
import { createTestDatabase, startPostgres, type TestPostgres } from './support/postgres.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

/** The agent's lease (agent.ts LEASE_MS): the run must be gone before it could expire. */
const LEASE_MS = 30_000;

let server: TestPostgres;
let database: { url: string; drop(): Promise<void> };
let proxy: TcpProxy;
let agent: InProcessAgent;
before(async () => {
  server = await startPostgres();
  database = await createTestDatabase(server.url);
  const url = new URL(database.url);
  proxy = await startTcpProxy(Number(url.port));
  url.port = String(proxy.port);
  agent = await startInProcessAgent({ store: url.toString() });
});
after(async () => {
  proxy?.heal();
  await agent?.stop();
  await proxy?.close();
  await database?.drop();
  await server?.stop();
});

describe('a partition from the store', () => {
  it('stops the run before its lease could be taken over', async () => {
    const marker = 9000 + (process.pid % 997);
    const api = apiClient(agent.url);
    const created = await api('POST', '/api/v1/jobs', { name: 'long', cmd: `sleep ${marker}` });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await api('POST', `/api/v1/jobs/${created.body.id}/run`)).status, 202);
    await waitFor('the run to start', async () =>
      processAlive(`sleep ${marker}`) ? true : undefined,
    );

    // The lease was last renewed no later than now: it cannot run out before cutAt + LEASE_MS.
    const cutAt = Date.now();
    proxy.blackhole();
    await waitFor(
      'the agent to stop the run',
      async () => (processAlive(`sleep ${marker}`) ? undefined : true),
      LEASE_MS + 10_000,
    );
    const stoppedAfterMs = Date.now() - cutAt;
    assert.ok(
      stoppedAfterMs < LEASE_MS,
      `the run was stopped ${stoppedAfterMs} ms after the cut, past the ${LEASE_MS} ms lease`,
    );
  });
});
