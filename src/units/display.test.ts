// formatSpan and formatSeconds: the unit chosen at each boundary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSeconds, formatSpan } from './display.ts';

describe('formatSpan', () => {
  it('picks at most two units', () => {
    assert.equal(formatSpan(0), '0ms');
    assert.equal(formatSpan(850), '850ms');
    assert.equal(formatSpan(4_290), '4.2s');
    assert.equal(formatSpan(12_400), '12s');
    assert.equal(formatSpan(72_000), '1m 12s');
    assert.equal(formatSpan(2 * 3600_000 + 5 * 60_000 + 9_000), '2h 05m');
    assert.equal(formatSpan(3 * 86_400_000 + 4 * 3600_000), '3d 4h');
  });

  it('never shows a negative span (clock skew between nodes)', () => {
    assert.equal(formatSpan(-20), '0ms');
  });
});

describe('formatSeconds', () => {
  it('names each non-zero unit', () => {
    assert.equal(formatSeconds(0), '0s');
    assert.equal(formatSeconds(30), '30s');
    assert.equal(formatSeconds(600), '10m');
    assert.equal(formatSeconds(3600), '1h');
    assert.equal(formatSeconds(5400), '1h 30m');
    assert.equal(formatSeconds(90_061), '1d 1h 1m 1s');
  });
});
