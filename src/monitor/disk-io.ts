// Disk I/O rates over an interval from two /proc/diskstats readings. Byte rates and IOPS are whole
// numbers: vminfo's Go struct has them as uint64 (internal/collector/snapshot.go DiskIO), so a Go client
// decoding a fraction would fail. IOPS is computed as vminfo computes it (collect.go calcDiskIOStats):
// reads per second and writes per second, each truncated, then added.
import { SECTOR_BYTES, type DiskCounters } from './diskstats.ts';
import type { DiskIoRow } from './snapshot.ts';
import { round1 } from './round.ts';

export function computeDiskIo(
  prev: DiskCounters[],
  cur: DiskCounters[],
  elapsedMs: number,
): DiskIoRow[] {
  const rows: DiskIoRow[] = new Array(cur.length);
  for (let i = 0; i < cur.length; i++) {
    const c = cur[i] as DiskCounters;
    const p = prev[i]?.device === c.device ? prev[i] : prev.find((d) => d.device === c.device);
    if (!p || elapsedMs <= 0) {
      rows[i] = {
        device: c.device,
        read_bytes_sec: 0,
        write_bytes_sec: 0,
        iops: 0,
        util_percent: 0,
      };
      continue;
    }
    const sec = elapsedMs / 1000;
    // A device that was detached and re-attached restarts its counters: clamp at 0.
    const d = (a: number, b: number) => Math.max(0, a - b);
    rows[i] = {
      device: c.device,
      read_bytes_sec: Math.round((d(c.sectorsRead, p.sectorsRead) * SECTOR_BYTES) / sec),
      write_bytes_sec: Math.round((d(c.sectorsWritten, p.sectorsWritten) * SECTOR_BYTES) / sec),
      iops:
        Math.floor(d(c.readsCompleted, p.readsCompleted) / sec) +
        Math.floor(d(c.writesCompleted, p.writesCompleted) / sec),
      util_percent: Math.min(100, round1((d(c.ioTicksMs, p.ioTicksMs) / elapsedMs) * 100)),
    };
  }
  return rows;
}
