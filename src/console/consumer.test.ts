import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createConsumer, type ConsumerOptions } from './consumer.ts';
import type { ResultItem } from './model.ts';

const OPTIONS: ConsumerOptions = {
  capacity: 5,
  batchSize: 3,
  batchWindowMs: 30,
  emptyWaitMs: 150,
};
const item = (n: number, extra: Record<string, unknown> = {}): ResultItem => ({
  type: 'echo',
  jobId: 1,
  n,
  ...extra,
});
const ns = (items: ResultItem[]) => items.map((i) => i.n);

describe('console consumer', () => {
  it('returns what is queued, at most a batch per pull, in order', async () => {
    const c = createConsumer('c_1', OPTIONS);
    for (let n = 1; n <= 4; n++) c.push(item(n));
    assert.deepEqual(ns(await c.pull()), [1, 2, 3]);
    assert.deepEqual(ns(await c.pull()), [4]);
  });

  it('waits for the first item, then gathers what follows within the window', async () => {
    const c = createConsumer('c_1', { ...OPTIONS, batchWindowMs: 80, emptyWaitMs: 5000 });
    const pulled = c.pull();
    await sleep(20);
    c.push(item(1));
    await sleep(10);
    c.push(item(2));
    assert.deepEqual(ns(await pulled), [1, 2]);
  });

  it('returns [] when nothing arrives within the wait', async () => {
    const c = createConsumer('c_1', OPTIONS);
    assert.deepEqual(await c.pull(), []);
  });

  it('ends a batch early when its lists carry 100 entries', async () => {
    const c = createConsumer('c_1', { ...OPTIONS, batchSize: 20 });
    c.push(item(1, { rows: new Array(60).fill(0) }));
    c.push(item(2, { rows: new Array(60).fill(0) }));
    c.push(item(3));
    assert.deepEqual(ns(await c.pull()), [1, 2]);
    assert.deepEqual(ns(await c.pull()), [3]);
  });

  it('drops the oldest items when full and tells the consumer how many it lost', async () => {
    const c = createConsumer('c_1', { ...OPTIONS, batchSize: 10 });
    for (let n = 1; n <= 8; n++) c.push(item(n));
    const [notice, ...rest] = await c.pull();
    assert.equal(notice?.type, 'message');
    assert.equal(notice?.jobId, 0);
    assert.equal(notice?.dropped, 3);
    assert.match(String(notice?.message), /3 result items were dropped.*--console-buffer/);
    assert.deepEqual(ns(rest), [4, 5, 6, 7, 8]);
  });

  it('answers a second pull in flight with [] and leaves the items to the first', async () => {
    const c = createConsumer('c_1', { ...OPTIONS, emptyWaitMs: 2000 });
    const first = c.pull();
    const second = await c.pull();
    assert.deepEqual(second, []);
    c.push(item(1));
    assert.deepEqual(ns(await first), [1]);
  });

  it('wakes a waiting pull when closed, and ignores later items', async () => {
    const c = createConsumer('c_1', { ...OPTIONS, emptyWaitMs: 60_000 });
    const pulled = c.pull();
    c.close();
    assert.deepEqual(await pulled, []);
    c.push(item(1));
    assert.deepEqual(await c.pull(), []);
    assert.equal(c.closed, true);
  });

  it('hands what was queued before closing to the pull that was waiting', async () => {
    const c = createConsumer('c_1', { ...OPTIONS, emptyWaitMs: 60_000 });
    const pulled = c.pull();
    c.push(item(1));
    c.close();
    assert.deepEqual(ns(await pulled), [1]);
  });

  it('is unhealthy only when full, not pulling and not seen for a second', () => {
    let t = 1_000_000;
    const c = createConsumer('c_1', { ...OPTIONS, now: () => t });
    for (let n = 1; n <= 5; n++) c.push(item(n));
    assert.equal(c.healthy, true, 'seen just now');
    t += 1500;
    assert.equal(c.healthy, false);
  });
});
