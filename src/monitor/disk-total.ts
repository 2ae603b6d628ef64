// The host's disk total, vminfo's `disk.filesystems[0]`: vminfo reports one row summed over every disk
// filesystem (readDiskTotals in collect.go, buildFilesystems in internal/collector/snapshot.go), named
// mount "/", device "total", fstype "aggregate", and its dashboard and health rule read that first row as
// "Disk". bosun puts the same row first and its per-mount rows after it; whoever wants the mounts alone
// (health's per-mount checks, /metrics, the console) skips it with isDiskTotal or mountRows.
import { round1 } from './round.ts';
import type { FilesystemRow } from './snapshot.ts';

export const DISK_TOTAL_DEVICE = 'total';
export const DISK_TOTAL_FSTYPE = 'aggregate';

/**
 * The sum of the mounts' figures. The mounts are one row per device already (mounts.ts), so nothing is
 * counted twice. `percent` is used / total, as vminfo computes it (not df's used / (used + available)
 * of the per-mount rows).
 */
export function diskTotalRow(mounts: readonly FilesystemRow[]): FilesystemRow {
  let total = 0;
  let used = 0;
  let available = 0;
  let inodesTotal = 0;
  let inodesUsed = 0;
  for (const m of mounts) {
    total += m.total;
    used += m.used;
    available += m.available;
    inodesTotal += m.inodes_total;
    inodesUsed += m.inodes_used;
  }
  return {
    mount: '/',
    device: DISK_TOTAL_DEVICE,
    fstype: DISK_TOTAL_FSTYPE,
    total,
    used,
    percent: total > 0 ? round1((used / total) * 100) : 0,
    available,
    inodes_total: inodesTotal,
    inodes_used: inodesUsed,
    inodes_percent: inodesTotal > 0 ? round1((inodesUsed / inodesTotal) * 100) : 0,
    readonly: mounts.length > 0 && mounts.every((m) => m.readonly),
  };
}

/** The snapshot's filesystem list: the total first, then the mounts; empty when there is no mount. */
export function withDiskTotal(mounts: readonly FilesystemRow[]): FilesystemRow[] {
  return mounts.length === 0 ? [] : [diskTotalRow(mounts), ...mounts];
}

/** Whether a filesystem row is the total rather than a mount. */
export function isDiskTotal(row: { device?: string; fstype?: string }): boolean {
  return row.device === DISK_TOTAL_DEVICE && row.fstype === DISK_TOTAL_FSTYPE;
}

/** The mounts of a snapshot's filesystem list, without the total. */
export function mountRows<T extends { device?: string; fstype?: string }>(
  filesystems: readonly T[],
): T[] {
  return filesystems.filter((row) => !isDiskTotal(row));
}
