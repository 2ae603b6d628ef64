// The one /proc/<pid>/stat parser: the monitor's view (parsePidStat, on captured fixtures) and the
// runner's and the benchmarks' (parsePidStatBrief).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePidStat, parsePidStatBrief, readPidStat } from './pid-stat.ts';

// A shell whose name holds ") S 1 (": the fields are counted from the last ')'.
const LINE =
  '4242 (sh) S 1 () S 1 4200 4242 0 -1 4194560 300 0 0 0 7 3 11 5 20 0 1 0 987654 2400000 211 ' +
  '18446744073709551615 1 1 0 0 0 0 0 0 65536 0 0 0 17 1 0 0 0 0 0\n';

describe('parsePidStatBrief', () => {
  it('reads state, process group, start time and CPU ticks after the last parenthesis', () => {
    assert.deepEqual(parsePidStatBrief(LINE), {
      state: 'S',
      pgrp: 4200,
      startTicks: 987654,
      cpuTicks: 10,
      reapedCpuTicks: 16,
    });
  });

  it('rejects a line without the name or with too few fields', () => {
    assert.equal(parsePidStatBrief('4242 sh S 1'), undefined);
    assert.equal(parsePidStatBrief('4242 (sh) S 1 4200'), undefined);
  });

  it('reads this process, and nothing for a pid that does not exist', () => {
    const own = readPidStat(process.pid);
    assert.equal(own?.pgrp, Number(readPidStat('self')?.pgrp));
    assert.ok(own !== undefined && own.startTicks > 0);
    assert.equal(readPidStat(2 ** 22 + 12345), undefined);
  });
});

const fixture = (name: string) =>
  readFileSync(new URL(`../monitor/fixtures/${name}`, import.meta.url), 'utf8');

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
