// An agent on PostgreSQL while the database is down and after it comes back: it keeps answering what
// does not need the store, says the store is unreachable (/healthz, /readyz 503), answers the routes
// that need it with 503 STORE_UNAVAILABLE instead of 500, and recovers by itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

let server: TestPostgres;
let agent: InProcessAgent;
before(async () => {
  // A server of its own, to take down; the agent beats every second to notice soon.
  server = await startPostgres({ own: true });
  agent = await startInProcessAgent({ store: server.url, heartbeat: '1s' });
});
after(async () => {
  await agent?.stop();
  await server?.stop();
});

const get = async (path: string) => {
  const res = await fetch(agent.url + path);
  return { status: res.status, body: (await res.json()) as any };
};

describe('a PostgreSQL outage', () => {
  it('is reported, answered with 503 where the store is needed, and recovered from', async () => {
    assert.equal((await get('/readyz')).status, 200);
    const outage = await server.down();
    const down = await waitFor('/readyz to say the store is unreachable', async () => {
      const ready = await get('/readyz');
      return ready.status === 503 ? ready : undefined;
    });
    assert.deepEqual(down.body, { status: 'not ready', store: 'unreachable' });
    const health = await get('/healthz');
    assert.equal(health.status, 200, 'the agent is alive');
    assert.equal(health.body.store, 'unreachable');
    assert.equal((await get('/api/v1/cpu')).status, 200, 'monitoring reads need no store');
    const jobs = await get('/api/v1/jobs');
    assert.equal(jobs.status, 503, JSON.stringify(jobs.body));
    assert.equal(jobs.body.error.code, 'STORE_UNAVAILABLE');

    await outage.up();
    await waitFor('/readyz to say ready again', async () =>
      (await get('/readyz')).status === 200 ? true : undefined,
    );
    assert.equal((await get('/api/v1/jobs')).status, 200);
  });
});
