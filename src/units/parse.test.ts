import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, parseBytes, parseDuration } from './parse.ts';

describe('parseDuration', () => {
  it('parses milliseconds, seconds, minutes, hours, days and bare seconds', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('1.5m'), 90_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('30d'), 30 * 86_400_000);
    assert.equal(parseDuration('3'), 3000);
    assert.equal(parseDuration(2), 2000);
    assert.equal(parseDuration('2 weeks'), undefined);
    assert.equal(parseDuration('-1s'), undefined);
  });
});

describe('formatDuration', () => {
  it('writes the largest whole unit, which parseDuration reads back', () => {
    const cases: Array<[number, string]> = [
      [0, '0ms'],
      [1, '1ms'],
      [1500, '1500ms'],
      [6000, '6s'],
      [90_000, '90s'],
      [300_000, '5m'],
      [3 * 3_600_000, '3h'],
      [86_400_000, '1d'],
      [3650 * 86_400_000, '3650d'],
    ];
    for (const [ms, text] of cases) {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    }
  });
});

describe('parseBytes and formatBytes', () => {
  it('reads binary units however they are written', () => {
    assert.equal(parseBytes('4096'), 4096);
    assert.equal(parseBytes('512k'), 512 * 1024);
    assert.equal(parseBytes('8MB'), 8 * 2 ** 20);
    assert.equal(parseBytes('8MiB'), 8 * 2 ** 20);
    assert.equal(parseBytes('1.5 GiB'), 1.5 * 2 ** 30);
    assert.equal(parseBytes('2tb'), 2 * 2 ** 40);
    assert.equal(parseBytes('10b'), 10);
    assert.equal(parseBytes('8 MiBs'), undefined);
    assert.equal(parseBytes('-1'), undefined);
  });

  it('writes the largest whole binary unit, which parseBytes reads back', () => {
    for (const [bytes, text] of [
      [100, '100B'],
      [4096, '4KiB'],
      [1536, '1536B'],
      [8 * 2 ** 20, '8MiB'],
      [2 ** 30, '1GiB'],
      [2 ** 50, '1024TiB'],
    ] as const) {
      assert.equal(formatBytes(bytes), text);
      assert.equal(parseBytes(text), bytes);
    }
  });
});
