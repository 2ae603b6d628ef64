// parsePidStatBrief: the runner's and the benchmarks' view of /proc/<pid>/stat (the monitor's view,
// parsePidStat, is tested on fixtures in monitor/pid-stat.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePidStatBrief, readPidStat } from './pid-stat.ts';

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
