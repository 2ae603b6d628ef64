import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MAX_TIMER_MS, setLongTimeout } from './long-timeout.ts';

describe('setLongTimeout', () => {
  it('waits out a delay past the longest timer Node holds, where setTimeout fires at once', async () => {
    let fired = false;
    const timer = setLongTimeout(() => (fired = true), MAX_TIMER_MS + 1000);
    await sleep(50);
    timer.clear();
    assert.equal(fired, false);
  });

  it('re-arms in steps and fires once, not before its time', async () => {
    const started = performance.now();
    const fires: number[] = [];
    setLongTimeout(() => fires.push(performance.now() - started), 120, 25);
    await sleep(250);
    assert.equal(fires.length, 1);
    assert.ok((fires[0] as number) >= 120, `fired after ${fires[0]} ms`);
  });

  it('never fires once cleared, even between steps', async () => {
    let fired = false;
    const timer = setLongTimeout(() => (fired = true), 60, 20);
    await sleep(30);
    timer.clear();
    await sleep(80);
    assert.equal(fired, false);
  });
});
