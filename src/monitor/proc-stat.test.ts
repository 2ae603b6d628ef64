import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CPU_MODES, parseProcStat } from './proc-stat.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseProcStat', () => {
  it('reads the total and per-CPU ticks by mode from a captured /proc/stat', () => {
    const stat = parseProcStat(fixture('proc-stat.txt'));
    assert.equal(stat.total.id, 'cpu');
    assert.deepEqual(stat.total.ticks, [9780, 0, 5540, 275820, 772, 0, 222, 1417]);
    assert.deepEqual(
      stat.cpus.map((c) => c.id),
      ['0', '1'],
    );
    assert.deepEqual(stat.cpus[1]?.ticks, [5802, 0, 3310, 135975, 722, 0, 197, 730]);
    assert.equal(stat.total.ticks.length, CPU_MODES.length);
  });

  it('reads the kernel counters', () => {
    const stat = parseProcStat(fixture('proc-stat.txt'));
    assert.equal(stat.contextSwitches, 854251);
    assert.equal(stat.bootTimeSeconds, 1795433657);
    assert.equal(stat.forks, 6662);
    assert.equal(stat.procsRunning, 1);
    assert.equal(stat.procsBlocked, 0);
  });

  it('treats missing columns and lines as zero', () => {
    const stat = parseProcStat('cpu  10 20 30 40\ncpu3 1 2 3 4 5\nbtime 99');
    assert.deepEqual(stat.total.ticks, [10, 20, 30, 40, 0, 0, 0, 0]);
    assert.deepEqual(stat.cpus, [{ id: '3', ticks: [1, 2, 3, 4, 5, 0, 0, 0] }]);
    assert.equal(stat.bootTimeSeconds, 99);
    assert.equal(stat.contextSwitches, 0);
  });

  it('returns zeros for empty input', () => {
    const stat = parseProcStat('');
    assert.deepEqual(stat.cpus, []);
    assert.deepEqual(stat.total.ticks, [0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
