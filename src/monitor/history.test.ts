import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHistory, createRing } from './history.ts';
import type { HistoryPoint } from './snapshot.ts';

const point = (t: number): HistoryPoint => ({
  t,
  cpu: 1,
  mem: 2,
  swap: 0,
  load1: 0.1,
  net_rx: 0,
  net_tx: 0,
  disk_r: 0,
  disk_w: 0,
  score: 100,
});

describe('createRing', () => {
  it('keeps the newest values, oldest first', () => {
    const ring = createRing<number>(3);
    assert.deepEqual(ring.toArray(), []);
    ring.push(1);
    ring.push(2);
    assert.deepEqual(ring.toArray(), [1, 2]);
    ring.push(3);
    ring.push(4);
    ring.push(5);
    assert.deepEqual(ring.toArray(), [3, 4, 5]);
    assert.equal(ring.size, 3);
    ring.push(6);
    ring.push(7);
    assert.deepEqual(ring.toArray(), [5, 6, 7]);
  });

  it('returns a copy', () => {
    const ring = createRing<number>(2);
    ring.push(1);
    ring.toArray().push(9);
    assert.deepEqual(ring.toArray(), [1]);
  });

  it('refuses a capacity below 1', () => {
    assert.throws(() => createRing(0), /at least 1/);
  });
});

describe('createHistory', () => {
  it('holds an hour of points at the interval and filters by time', () => {
    const history = createHistory(1_000_000); // 4 points per hour
    for (let i = 1; i <= 6; i++) history.push(i * 1000, point(i));
    assert.deepEqual(
      history.since().map((p) => p.t),
      [3, 4, 5, 6],
    );
    assert.deepEqual(
      history.since(4000).map((p) => p.t),
      [5, 6],
    );
    assert.deepEqual(history.since(6000), []);
  });
});
