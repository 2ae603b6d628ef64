import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isWholeDisk, parseDiskstats } from './diskstats.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseDiskstats', () => {
  it('keeps the whole disk of a captured /proc/diskstats and skips loop and zram', () => {
    assert.deepEqual(parseDiskstats(fixture('diskstats.txt')), [
      {
        device: 'vda',
        readsCompleted: 57315,
        sectorsRead: 2684338,
        writesCompleted: 22577,
        sectorsWritten: 3345312,
        ioTicksMs: 14332,
      },
    ]);
  });

  it('keeps sd, nvme, mmcblk, md, dm and xvd disks and skips partitions and truncated lines', () => {
    const devices = parseDiskstats(fixture('diskstats-mixed.txt')).map((d) => d.device);
    assert.deepEqual(devices, ['sda', 'nvme0n1', 'mmcblk0', 'md0', 'dm-0', 'xvda']);
  });
});

describe('isWholeDisk', () => {
  it('tells disks from partitions and pseudo devices', () => {
    for (const name of [
      'sda',
      'sdaa',
      'vdb',
      'hda',
      'xvdf',
      'nvme10n2',
      'mmcblk1',
      'md127',
      'dm-3',
    ]) {
      assert.equal(isWholeDisk(name), true, name);
    }
    for (const name of [
      'sda1',
      'nvme0n1p2',
      'mmcblk0p1',
      'mmcblk0boot0',
      'loop0',
      'ram1',
      'zram0',
      'sr0',
      'nbd0',
    ]) {
      assert.equal(isWholeDisk(name), false, name);
    }
  });
});
