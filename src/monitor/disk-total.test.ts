import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diskTotalRow, isDiskTotal, mountRows, withDiskTotal } from './disk-total.ts';
import type { FilesystemRow } from './snapshot.ts';

const mount = (path: string, total: number, used: number, extra: Partial<FilesystemRow> = {}) => ({
  mount: path,
  device: `/dev/${path === '/' ? 'vda1' : 'vdb1'}`,
  fstype: 'ext4',
  total,
  used,
  percent: 0,
  available: total - used,
  inodes_total: 1000,
  inodes_used: 250,
  inodes_percent: 25,
  readonly: false,
  ...extra,
});

describe('diskTotalRow', () => {
  it('sums the mounts into vminfo’s row: mount "/", device "total", fstype "aggregate", used / total', () => {
    const row = diskTotalRow([mount('/', 1000, 300), mount('/data', 3000, 2700)]);
    assert.deepEqual(row, {
      mount: '/',
      device: 'total',
      fstype: 'aggregate',
      total: 4000,
      used: 3000,
      // vminfo's percent: used / total (75 %), not df's used / (used + available).
      percent: 75,
      available: 1000,
      inodes_total: 2000,
      inodes_used: 500,
      inodes_percent: 25,
      readonly: false,
    });
  });

  it('rounds the percent to one decimal and is read-only only when every mount is', () => {
    const row = diskTotalRow([mount('/', 3000, 1000), mount('/a', 0, 0, { readonly: true })]);
    assert.equal(row.percent, 33.3);
    assert.equal(row.readonly, false);
    assert.equal(diskTotalRow([mount('/', 10, 10, { readonly: true })]).readonly, true);
  });

  it('gives zeros, not NaN, when nothing could be measured', () => {
    const row = diskTotalRow([
      mount('/', 0, 0, { inodes_total: 0, inodes_used: 0, error: 'timeout' }),
    ]);
    assert.equal(row.percent, 0);
    assert.equal(row.inodes_percent, 0);
    assert.equal('error' in row, false);
  });
});

describe('withDiskTotal, isDiskTotal and mountRows', () => {
  it('puts the total first and the mounts after it, and mountRows takes it away again', () => {
    const mounts = [mount('/', 1000, 300), mount('/data', 3000, 2700)];
    const list = withDiskTotal(mounts);
    assert.equal(list.length, 3);
    assert.equal(isDiskTotal(list[0] as FilesystemRow), true);
    assert.deepEqual(list.slice(1), mounts);
    assert.deepEqual(mountRows(list), mounts);
    assert.equal(
      mounts.some((m) => isDiskTotal(m)),
      false,
    );
  });

  it('has no total when there is no mount, as vminfo sends no row', () => {
    assert.deepEqual(withDiskTotal([]), []);
  });
});
