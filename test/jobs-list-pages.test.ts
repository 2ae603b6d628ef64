// GET /api/v1/jobs pages larger than one store read (src/http/native/jobs.ts reads 100 jobs at a
// time, the event loop free between two reads): a page of 250 is the first 250 jobs in order, the
// cursor goes on from its last job, and a name-ordered page goes on by name across reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const JOBS = 260;

let agent: InProcessAgent;
let api: ReturnType<typeof injectClient>;
/** The jobs made, in creation order (ids are time-ordered: the id order too). */
const made: Array<{ id: string; name: string }> = [];

before(async () => {
  agent = await startInProcessAgent({});
  api = injectClient(agent);
  for (let i = 0; i < JOBS; i++) {
    // Names in the reverse of the creation order, so that name order is not id order.
    const name = `paged-${String(JOBS - i).padStart(4, '0')}`;
    const res = await api('POST', '/api/v1/jobs', { name, cmd: 'true' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    made.push({ id: res.body.id, name });
  }
});
after(() => agent.stop());

describe('GET /api/v1/jobs with a limit above one store read', () => {
  it('answers the first 250 jobs by id, then the rest after the cursor', async () => {
    const first = await api('GET', '/api/v1/jobs?limit=250');
    assert.equal(first.status, 200);
    const ids = (first.body.jobs as Array<{ id: string }>).map((j) => j.id);
    assert.deepEqual(
      ids,
      made.slice(0, 250).map((j) => j.id),
    );
    assert.equal(first.body.nextCursor, made[249]!.id);
    assert.equal(first.body.total, JOBS);

    const rest = await api('GET', `/api/v1/jobs?limit=250&cursor=${first.body.nextCursor}`);
    assert.deepEqual(
      (rest.body.jobs as Array<{ id: string }>).map((j) => j.id),
      made.slice(250).map((j) => j.id),
    );
    assert.equal(rest.body.nextCursor, null);
  });

  it('goes on by name across reads when a name prefix is given', async () => {
    const byName = [...made].sort((a, b) => (a.name < b.name ? -1 : 1));
    const page = await api('GET', '/api/v1/jobs?limit=230&name=paged-');
    assert.deepEqual(
      (page.body.jobs as Array<{ name: string }>).map((j) => j.name),
      byName.slice(0, 230).map((j) => j.name),
    );
    const next = await api(
      'GET',
      `/api/v1/jobs?limit=230&name=paged-&cursor=${page.body.nextCursor}`,
    );
    assert.deepEqual(
      (next.body.jobs as Array<{ name: string }>).map((j) => j.name),
      byName.slice(230).map((j) => j.name),
    );
  });
});
