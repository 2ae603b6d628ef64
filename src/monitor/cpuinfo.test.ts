import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCpuinfo } from './cpuinfo.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCpuinfo', () => {
  it('reads the model and the mean MHz from a captured x86 /proc/cpuinfo', () => {
    const info = parseCpuinfo(fixture('cpuinfo.txt'));
    assert.equal(info.model, 'AMD EPYC');
    assert.ok(info.mhz > 1000 && info.mhz < 6000, String(info.mhz));
  });

  it('falls back to the board name on ARM and reports 0 MHz when absent', () => {
    assert.deepEqual(parseCpuinfo(fixture('cpuinfo-arm.txt')), {
      model: 'BCM2835',
      mhz: 0,
    });
  });

  it('averages MHz over CPUs', () => {
    const info = parseCpuinfo(
      'model name\t: X\ncpu MHz\t\t: 1000.0\n\nmodel name\t: X\ncpu MHz\t\t: 3000.4\n',
    );
    assert.deepEqual(info, { model: 'X', mhz: 2000 });
  });
});
