// Parser for /proc/diskstats: cumulative I/O counters for whole disks only. Partitions would count the
// same I/O twice; loop, ram and zram devices are not disks.

/** The kernel counts diskstats sectors in 512-byte units whatever the device's sector size. */
export const SECTOR_BYTES = 512;

export interface DiskCounters {
  device: string;
  readsCompleted: number;
  sectorsRead: number;
  writesCompleted: number;
  sectorsWritten: number;
  /** Milliseconds the device had I/O in flight (io_ticks). */
  ioTicksMs: number;
}

const WHOLE_DISK = /^(?:[shv]d[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+|md\d+|dm-\d+)$/;

export function isWholeDisk(name: string): boolean {
  return WHOLE_DISK.test(name);
}

export function parseDiskstats(text: string): DiskCounters[] {
  const rows: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const device = f[2];
    // Fewer than 13 fields: a truncated line or a 2.4-era partition line without io_ticks.
    if (device === undefined || f.length < 13 || !isWholeDisk(device)) continue;
    rows.push({
      device,
      readsCompleted: Number(f[3]) || 0,
      sectorsRead: Number(f[5]) || 0,
      writesCompleted: Number(f[7]) || 0,
      sectorsWritten: Number(f[9]) || 0,
      ioTicksMs: Number(f[12]) || 0,
    });
  }
  return rows;
}
