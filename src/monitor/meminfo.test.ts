import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseMeminfo, toMemoryFigures } from './meminfo.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseMeminfo', () => {
  it('reads every field in bytes from a captured /proc/meminfo', () => {
    const m = parseMeminfo(fixture('meminfo.txt'));
    assert.equal(m.MemTotal, 24684092 * 1024);
    assert.equal(m.MemAvailable, 24348996 * 1024);
    assert.equal(m['Active(anon)'], 1528 * 1024);
    assert.equal(m.SwapTotal, 0);
    assert.ok(Object.keys(m).length > 40);
  });

  it('keeps unitless fields as counts', () => {
    const m = parseMeminfo(fixture('meminfo-old.txt'));
    assert.equal(m.HugePages_Total, 0);
    assert.equal(m.Hugepagesize, 2048 * 1024);
  });
});

describe('toMemoryFigures', () => {
  it('uses MemAvailable for used memory', () => {
    const f = toMemoryFigures(parseMeminfo(fixture('meminfo.txt')));
    assert.equal(f.total, 24684092 * 1024);
    assert.equal(f.available, 24348996 * 1024);
    assert.equal(f.used, (24684092 - 24348996) * 1024);
    assert.equal(f.buffers, 7688 * 1024);
    assert.equal(f.swapUsed, 0);
  });

  it('estimates available memory on kernels without MemAvailable', () => {
    const f = toMemoryFigures(parseMeminfo(fixture('meminfo-old.txt')));
    assert.equal(f.available, (512000 + 128000 + 256000) * 1024);
    assert.equal(f.used, (2048000 - 896000) * 1024);
  });

  it('computes swap used from SwapFree', () => {
    const f = toMemoryFigures({ MemTotal: 100, MemAvailable: 40, SwapTotal: 1000, SwapFree: 250 });
    assert.equal(f.swapUsed, 750);
    assert.equal(f.used, 60);
  });

  it('returns zeros when nothing is known', () => {
    assert.deepEqual(toMemoryFigures({}), {
      total: 0,
      available: 0,
      used: 0,
      free: 0,
      buffers: 0,
      cached: 0,
      swapTotal: 0,
      swapUsed: 0,
    });
  });
});
