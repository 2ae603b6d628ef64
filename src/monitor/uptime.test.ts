import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { formatUptime, parseUptime } from './uptime.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseUptime', () => {
  it('reads whole seconds since boot from a captured /proc/uptime', () => {
    assert.equal(parseUptime(fixture('uptime.txt')), 1469);
  });

  it('reads zero from garbage', () => {
    assert.equal(parseUptime(''), 0);
  });
});

describe('formatUptime', () => {
  it('writes days, hours and minutes like vminfo', () => {
    assert.equal(formatUptime(3 * 86400 + 4 * 3600 + 5 * 60 + 59), '3d 4h 5m');
    assert.equal(formatUptime(86400), '1d 0h 0m');
    assert.equal(formatUptime(4 * 3600 + 5 * 60), '4h 5m');
    assert.equal(formatUptime(59), '0m');
    assert.equal(formatUptime(0), '0s');
  });
});
