import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPinnedClock } from './clock.ts';
import { createIdGenerator, idTime, isId } from './ids.ts';

const REFERENCE_TIMESTAMP = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('ids', () => {
  it('are safe integers as decimal strings', () => {
    const next = createIdGenerator();
    for (let i = 0; i < 100; i++) {
      const id = next();
      assert.ok(isId(id), id);
      assert.ok(Number.isSafeInteger(Number(id)));
    }
  });

  it('increase strictly even within one millisecond', () => {
    const clock = createPinnedClock(REFERENCE_TIMESTAMP);
    const next = createIdGenerator(clock);
    let previous = 0;
    for (let i = 0; i < 5000; i++) {
      const n = Number(next());
      assert.ok(n > previous);
      previous = n;
    }
  });

  it('encode their creation time', () => {
    const next = createIdGenerator(createPinnedClock(REFERENCE_TIMESTAMP));
    assert.equal(idTime(next()), REFERENCE_TIMESTAMP);
  });

  it('reject what is not an id', () => {
    for (const bad of ['', '0', '-1', '1.5', 'abc', '01', '99999999999999999999']) {
      assert.equal(isId(bad), false, bad);
    }
  });
});
