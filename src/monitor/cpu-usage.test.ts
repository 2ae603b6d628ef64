import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { busyPercent, computeCpuUsage } from './cpu-usage.ts';
import { parseProcStat } from './proc-stat.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

// Mode order: user nice system idle iowait irq softirq steal.
const stat = (total: number[], ...cpus: number[][]) =>
  parseProcStat(
    [`cpu  ${total.join(' ')}`, ...cpus.map((c, i) => `cpu${i} ${c.join(' ')}`)].join('\n'),
  );

describe('busyPercent', () => {
  it('counts idle and iowait as not busy', () => {
    const prev = { id: '0', ticks: [0, 0, 0, 0, 0, 0, 0, 0] };
    const cur = { id: '0', ticks: [30, 0, 10, 50, 10, 0, 0, 0] };
    assert.equal(busyPercent(prev, cur), 40);
  });

  it('reads 0 when no tick passed or counters went backwards', () => {
    const t = { id: '0', ticks: [5, 0, 5, 5, 0, 0, 0, 0] };
    assert.equal(busyPercent(t, t), 0);
    assert.equal(busyPercent(t, { id: '0', ticks: [0, 0, 0, 0, 0, 0, 0, 0] }), 0);
  });
});

describe('computeCpuUsage', () => {
  it('computes total, per core, average, max and mode shares', () => {
    const prev = stat([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]);
    const cur = stat(
      [60, 10, 20, 100, 5, 0, 5, 0],
      [50, 10, 15, 20, 5, 0, 0, 0],
      [10, 0, 5, 80, 0, 0, 5, 0],
    );
    const u = computeCpuUsage(prev, cur);
    assert.equal(u.total_percent, 47.5);
    assert.deepEqual(u.per_core, [75, 20]);
    assert.equal(u.avg_percent, 47.5);
    assert.equal(u.max_percent, 75);
    assert.deepEqual(u.modes, {
      user: 30,
      nice: 5,
      system: 10,
      idle: 50,
      iowait: 2.5,
      irq: 0,
      softirq: 2.5,
      steal: 0,
    });
  });

  it('matches CPUs by id when one went offline', () => {
    const prev = stat([0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]);
    const cur = parseProcStat('cpu  10 0 0 10\ncpu1 10 0 0 10\n');
    assert.deepEqual(computeCpuUsage(prev, cur).per_core, [50]);
  });

  it('reads all zeros over two identical captured readings', () => {
    const s = parseProcStat(fixture('proc-stat.txt'));
    const u = computeCpuUsage(s, s);
    assert.equal(u.total_percent, 0);
    assert.deepEqual(u.per_core, [0, 0]);
    assert.equal(u.modes.idle, 0);
  });
});
