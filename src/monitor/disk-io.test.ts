import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiskCounters } from './diskstats.ts';
import { computeDiskIo } from './disk-io.ts';

const disk = (
  device: string,
  r: number,
  sr: number,
  w: number,
  sw: number,
  io: number,
): DiskCounters => ({
  device,
  readsCompleted: r,
  sectorsRead: sr,
  writesCompleted: w,
  sectorsWritten: sw,
  ioTicksMs: io,
});

describe('computeDiskIo', () => {
  it('computes bytes per second, IOPS and utilisation', () => {
    const rows = computeDiskIo(
      [disk('sda', 100, 1000, 50, 2000, 500)],
      [disk('sda', 400, 7000, 80, 14000, 1250)],
      2000,
    );
    assert.deepEqual(rows, [
      {
        device: 'sda',
        read_bytes_sec: 1536000,
        write_bytes_sec: 3072000,
        iops: 165,
        util_percent: 37.5,
      },
    ]);
  });

  it('gives whole IOPS as vminfo does: reads and writes per second, each truncated, then added', () => {
    // 7 reads and 3 writes in 2 s: 3.5 + 1.5 per second. vminfo (collect.go calcDiskIOStats) truncates
    // each to a uint64 before adding, so 3 + 1 = 4, not round(5.0).
    const [row] = computeDiskIo([disk('sda', 0, 0, 0, 0, 0)], [disk('sda', 7, 8, 3, 8, 0)], 2000);
    assert.equal(row?.iops, 4);
    for (const key of ['read_bytes_sec', 'write_bytes_sec', 'iops'] as const) {
      assert.ok(Number.isSafeInteger(row?.[key]), `${key} is a whole number`);
    }
    // Over an odd interval the rates are fractions before truncation: still whole numbers.
    const [odd] = computeDiskIo([disk('sdb', 0, 0, 0, 0, 0)], [disk('sdb', 10, 3, 1, 1, 0)], 3000);
    assert.equal(odd?.iops, 3);
    assert.ok(Number.isSafeInteger(odd?.read_bytes_sec));
  });

  it('caps utilisation at 100 and clamps counters that went backwards', () => {
    const rows = computeDiskIo(
      [disk('vda', 10, 10, 10, 10, 0)],
      [disk('vda', 5, 5, 5, 5, 5000)],
      1000,
    );
    assert.deepEqual(rows, [
      { device: 'vda', read_bytes_sec: 0, write_bytes_sec: 0, iops: 0, util_percent: 100 },
    ]);
  });

  it('reports zeros for a new device or no elapsed time', () => {
    const zero = { read_bytes_sec: 0, write_bytes_sec: 0, iops: 0, util_percent: 0 };
    assert.deepEqual(computeDiskIo([], [disk('nvme0n1', 1, 1, 1, 1, 1)], 1000), [
      { device: 'nvme0n1', ...zero },
    ]);
    assert.deepEqual(computeDiskIo([disk('sda', 0, 0, 0, 0, 0)], [disk('sda', 9, 9, 9, 9, 9)], 0), [
      { device: 'sda', ...zero },
    ]);
  });

  it('matches devices by name when the list changed', () => {
    const rows = computeDiskIo(
      [disk('sda', 0, 0, 0, 0, 0), disk('sdb', 0, 0, 0, 0, 0)],
      [disk('sdb', 10, 2, 0, 0, 100)],
      1000,
    );
    assert.equal(rows[0]?.read_bytes_sec, 1024);
    assert.equal(rows[0]?.iops, 10);
  });
});
