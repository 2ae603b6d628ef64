// formatRelative and formatLocalTime against a pinned clock and explicit zones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLocalTime, formatRelative } from './relative-time.ts';

const NOW = Date.parse('2026-11-23T14:00:00.000Z');

describe('formatRelative', () => {
  it('says "in" for the future and "ago" for the past, in one floored unit', () => {
    assert.equal(formatRelative(NOW + 400, NOW), 'now');
    assert.equal(formatRelative(NOW + 45_900, NOW), 'in 45s');
    assert.equal(formatRelative(NOW + 4 * 60_000 + 59_000, NOW), 'in 4m');
    assert.equal(formatRelative(NOW - 3 * 3600_000, NOW), '3h ago');
    assert.equal(formatRelative(NOW + 47 * 3600_000, NOW), 'in 47h');
    assert.equal(formatRelative(NOW - 50 * 3600_000, NOW), '2d ago');
  });
});

describe('formatLocalTime', () => {
  it('shows the wall clock and offset of the zone', () => {
    assert.equal(formatLocalTime(NOW, 'Europe/Berlin'), '2026-11-23 15:00:00 +01:00');
    assert.equal(formatLocalTime(NOW, 'UTC'), '2026-11-23 14:00:00 +00:00');
    assert.equal(formatLocalTime(NOW, 'America/St_Johns'), '2026-11-23 10:30:00 -03:30');
  });
});
