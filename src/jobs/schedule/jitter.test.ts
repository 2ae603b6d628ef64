import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jitterMs } from './jitter.ts';

describe('jitterMs', () => {
  it('is the same for the same job every time', () => {
    assert.equal(jitterMs('1234567890', 30), jitterMs('1234567890', 30));
    // Pinned: every node and every version must agree on a job's offset.
    assert.equal(jitterMs('job-a', 60), 55_382);
  });

  it('stays in [0, jitterSec·1000) and spreads different jobs', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const ms = jitterMs(`job-${i}`, 10);
      assert.ok(ms >= 0 && ms < 10_000 && Number.isInteger(ms), String(ms));
      seen.add(Math.floor(ms / 1000));
    }
    assert.equal(seen.size, 10, 'every second of the range is used');
  });

  it('is 0 when jitter is off', () => {
    assert.equal(jitterMs('job-a', 0), 0);
    assert.equal(jitterMs('job-a', -5), 0);
  });
});
