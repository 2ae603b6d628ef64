// sendJsonPages (json-stream.ts): a whole list written a page at a time, heavy pages rendered in
// slices with the event loop free between two, is one valid JSON answer with every item once, in
// order; and a store error before the first page is an ordinary error answer.
import assert from 'node:assert/strict';
import { setImmediate } from 'node:timers/promises';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { sendJsonPages } from './json-stream.ts';

async function* pagesOf(count: number, size: number): AsyncGenerator<number[]> {
  for (let from = 0; from < count; from += size) {
    await setImmediate();
    yield Array.from({ length: Math.min(size, count - from) }, (_, i) => from + i);
  }
}

/** Renders an item in about `ms` of CPU, as a job with a large DAG would take. */
function slowRender(ms: number) {
  return (n: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: the point is to hold the loop
    }
    return { n };
  };
}

describe('sendJsonPages', () => {
  it('writes every item of every page once, in order, as one JSON document', async () => {
    const app = Fastify();
    app.get('/list', (_request, reply) =>
      sendJsonPages(reply, '{"data":[', pagesOf(1234, 50), (n: number) => ({ n }), ']}'),
    );
    const res = await app.inject({ method: 'GET', url: '/list' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json<{ data: Array<{ n: number }> }>();
    assert.deepEqual(
      body.data.map((d) => d.n),
      Array.from({ length: 1234 }, (_, i) => i),
    );
    await app.close();
  });

  it('lets other work run while it renders a page of heavy items', async () => {
    const app = Fastify();
    // 20 items of ~2 ms each: one page would hold the loop ~40 ms if rendered in one go.
    app.get('/list', (_request, reply) =>
      sendJsonPages(reply, '[', pagesOf(40, 20), slowRender(2), ']'),
    );
    let ticks = 0;
    let answered = false;
    const ticking = (async () => {
      while (!answered) {
        await setImmediate();
        ticks += 1;
      }
    })();
    const res = await app.inject({ method: 'GET', url: '/list' });
    answered = true;
    await ticking;
    assert.deepEqual(
      res.json<Array<{ n: number }>>().map((d) => d.n),
      Array.from({ length: 40 }, (_, i) => i),
    );
    // Two pages of 20 items in slices of ~5 ms: ~16 turns of the loop at least, not 2 or 3.
    assert.ok(ticks >= 10, `the loop turned ${ticks} times while 40 heavy items were rendered`);
    await app.close();
  });

  it('answers an error before the first page as an ordinary error', async () => {
    const app = Fastify();
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<number[]> {
      throw new Error('the store is down');
    }
    app.get('/list', (_request, reply) => sendJsonPages(reply, '[', failing(), (n) => n, ']'));
    const res = await app.inject({ method: 'GET', url: '/list' });
    assert.equal(res.statusCode, 500);
    assert.match(res.body, /the store is down/);
    await app.close();
  });
});
