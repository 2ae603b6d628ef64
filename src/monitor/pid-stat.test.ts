import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePidStat } from '../proc/pid-stat.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parsePidStat', () => {
  it('reads a captured /proc/[pid]/stat', () => {
    assert.deepEqual(parsePidStat(fixture('pid-stat.txt')), {
      pid: 6675,
      name: 'sleep',
      state: 'S',
      ppid: 6674,
      cpuTicks: 0,
      nice: 0,
      threads: 1,
      startTicks: 146935,
      rssPages: 398,
      kernelThread: false,
    });
  });

  it('recognises a kernel thread', () => {
    const stat = parsePidStat(fixture('kthread-stat.txt'));
    assert.equal(stat?.name, 'kthreadd');
    assert.equal(stat?.kernelThread, true);
    assert.equal(stat?.ppid, 0);
    assert.equal(stat?.rssPages, 0);
  });

  it('keeps parentheses and spaces inside the name', () => {
    const stat = parsePidStat(fixture('pid-stat-parens.txt'));
    assert.equal(stat?.pid, 4242);
    assert.equal(stat?.name, '(a) b)');
    assert.equal(stat?.state, 'R');
    assert.equal(stat?.cpuTicks, 300);
    assert.equal(stat?.nice, 5);
    assert.equal(stat?.threads, 3);
    assert.equal(stat?.startTicks, 1500);

    const spaced = parsePidStat(fixture('pid-stat-spaces.txt'));
    assert.equal(spaced?.name, 'web worker');
    assert.equal(spaced?.nice, 19);
    assert.equal(spaced?.ppid, 4242);
  });

  it('rejects truncated or malformed text', () => {
    assert.equal(parsePidStat(''), undefined);
    assert.equal(parsePidStat('12 (x) S 1 2 3'), undefined);
    assert.equal(
      parsePidStat('12 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21'),
      undefined,
    );
  });
});
