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

  it('never fires once cleared, even between steps', (t) => {
    // Timers are driven by hand, the monotonic clock it reads is not: a busy machine cannot make the
    // first step end late, after the delay, which would test nothing.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let cleared = false;
    let kept = false;
    const timer = setLongTimeout(() => (cleared = true), 60, 20);
    setLongTimeout(() => (kept = true), 60, 20);
    t.mock.timers.tick(20); // both end their first step and re-arm
    timer.clear();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 80); // the 60 ms pass
    t.mock.timers.tick(20);
    assert.equal(kept, true);
    assert.equal(cleared, false);
  });
});
