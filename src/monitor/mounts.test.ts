import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isSkippedFstype, parseMounts } from './mounts.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseMounts', () => {
  it('keeps only the root ext4 of a captured /proc/self/mounts', () => {
    assert.deepEqual(parseMounts(fixture('mounts.txt')), [
      { device: '/dev/vda', mount: '/', fstype: 'ext4', readonly: false },
    ]);
  });

  it('keeps overlay at / in a container, dedupes devices and skips pseudo and network filesystems', () => {
    assert.deepEqual(parseMounts(fixture('mounts-container.txt')), [
      { device: 'overlay', mount: '/', fstype: 'overlay', readonly: false },
      { device: '/dev/sdb1', mount: '/data', fstype: 'xfs', readonly: false },
      { device: '/dev/sda1', mount: '/etc/hosts', fstype: 'ext4', readonly: false },
      { device: '/dev/mapper/vg-home', mount: '/home', fstype: 'btrfs', readonly: false },
      { device: '/dev/sdc', mount: '/mnt/my disk', fstype: 'ext4', readonly: true },
    ]);
  });

  it('takes the last mount at / and drops other mounts of the root device', () => {
    assert.deepEqual(parseMounts(fixture('mounts-rootfs.txt')), [
      { device: '/dev/vda1', mount: '/', fstype: 'ext4', readonly: false },
      { device: '/dev/vda2', mount: '/boot/efi', fstype: 'vfat', readonly: false },
    ]);
  });

  it('unescapes octal sequences in devices and paths', () => {
    const [root, other] = parseMounts(
      '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /a\\040b\\011c\\134d ext4 rw 0 0\n',
    );
    assert.equal(root?.mount, '/');
    assert.equal(other?.mount, '/a b\tc\\d');
  });

  it('still puts a root row first when no / line is listed', () => {
    const rows = parseMounts('/dev/sdb1 /data ext4 rw 0 0\n');
    assert.equal(rows[0]?.mount, '/');
    assert.equal(rows[1]?.mount, '/data');
  });
});

describe('isSkippedFstype', () => {
  it('skips pseudo, memory and network filesystems and keeps disk filesystems', () => {
    for (const t of [
      'proc',
      'cgroup2',
      'nfs4',
      'fuse.sshfs',
      'cifs',
      'squashfs',
      'autofs',
      'tmpfs',
      'overlay',
    ]) {
      assert.equal(isSkippedFstype(t), true, t);
    }
    for (const t of ['ext4', 'xfs', 'btrfs', 'zfs', 'vfat', 'fuseblk', 'f2fs']) {
      assert.equal(isSkippedFstype(t), false, t);
    }
  });
});
