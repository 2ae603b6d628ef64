import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFilesystemReader, toRow, type StatfsResult } from './filesystems.ts';
import type { MountEntry } from './mounts.ts';

const root: MountEntry = { device: '/dev/sda1', mount: '/', fstype: 'ext4', readonly: false };
const data: MountEntry = { device: '/dev/sdb1', mount: '/data', fstype: 'xfs', readonly: false };
const figures: StatfsResult = {
  bsize: 4096,
  blocks: 1000,
  bfree: 300,
  bavail: 250,
  files: 200,
  ffree: 50,
};

describe('toRow', () => {
  it('computes usage as df does and inode usage', () => {
    assert.deepEqual(toRow(root, figures, undefined), {
      mount: '/',
      device: '/dev/sda1',
      fstype: 'ext4',
      total: 4096000,
      used: 2867200,
      percent: 73.7,
      available: 1024000,
      inodes_total: 200,
      inodes_used: 150,
      inodes_percent: 75,
      readonly: false,
    });
  });

  it('reports zeros and the error without figures', () => {
    const row = toRow(data, undefined, 'EACCES');
    assert.equal(row.total, 0);
    assert.equal(row.percent, 0);
    assert.equal(row.inodes_percent, 0);
    assert.equal(row.error, 'EACCES');
  });
});

describe('createFilesystemReader', () => {
  it('reads every mount', async () => {
    const reader = createFilesystemReader({ timeoutMs: 1000, statfs: async () => figures });
    const rows = await reader.read([root, data]);
    assert.deepEqual(
      rows.map((r) => [r.mount, r.percent, r.error]),
      [
        ['/', 73.7, undefined],
        ['/data', 73.7, undefined],
      ],
    );
  });

  it('marks a hung mount as timed out, keeps its last figures and starts no second call', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    let hang = false;
    const statfs = (path: string): Promise<StatfsResult> => {
      if (path !== '/data') return Promise.resolve(figures);
      calls++;
      if (!hang) return Promise.resolve({ ...figures, bfree: 900, bavail: 900 });
      return new Promise((resolve) => {
        release = () => resolve(figures);
      });
    };
    const reader = createFilesystemReader({ timeoutMs: 20, statfs });

    const first = await reader.read([root, data]);
    assert.equal(first[1]?.error, undefined);
    assert.equal(first[1]?.percent, 10);

    hang = true;
    const second = await reader.read([root, data]);
    assert.equal(second[0]?.error, undefined);
    assert.equal(second[1]?.error, 'timeout');
    assert.equal(second[1]?.percent, 10, 'keeps the last known figures');

    const third = await reader.read([root, data]);
    assert.equal(third[1]?.error, 'timeout');
    assert.equal(calls, 2, 'no second statfs while the first is out');

    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    hang = false;
    const fourth = await reader.read([root, data]);
    assert.equal(fourth[1]?.error, undefined);
    assert.equal(calls, 3);
  });

  it('reports a failing statfs by its error code', async () => {
    const reader = createFilesystemReader({
      timeoutMs: 1000,
      statfs: () => Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' })),
    });
    const [row] = await reader.read([data]);
    assert.equal(row?.error, 'EACCES');
    assert.equal(row?.total, 0);
  });

  it('reads the real root filesystem', async () => {
    const [row] = await createFilesystemReader({ timeoutMs: 5000 }).read([root]);
    assert.equal(row?.error, undefined);
    assert.ok((row?.total ?? 0) > 0);
  });
});
