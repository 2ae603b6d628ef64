import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildProcessRow,
  compareByCpu,
  createProcessLister,
  detectPageSize,
  type ProcessRowContext,
} from './process-list.ts';
import { parsePidStat, type PidStat } from '../proc/pid-stat.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const procRoot = fileURLToPath(new URL('./fixtures/proc', import.meta.url));

const BOOT = 1_700_000_000;
const ctx = (over: Partial<ProcessRowContext> = {}): ProcessRowContext => ({
  nowMs: (BOOT + 100_000) * 1000,
  bootTimeSeconds: BOOT,
  memTotal: 8_192_000_000,
  pageSize: 4096,
  prev: new Map(),
  prevAtMs: 0,
  userName: (uid) => (uid === 0 ? 'root' : String(uid)),
  ...over,
});

describe('buildProcessRow', () => {
  const stat = parsePidStat(fixture('pid-stat-parens.txt')) as PidStat; // 300 ticks, started 15 s after boot

  it('fills every vminfo field', () => {
    assert.deepEqual(buildProcessRow(stat, 0, 'python3 -c loop()', ctx()), {
      pid: 4242,
      ppid: 1,
      name: '(a) b)',
      user: 'root',
      cpu_percent: 0,
      mem_percent: 0,
      rss: 381 * 4096,
      status: 'R',
      command: 'python3 -c loop()',
      threads: 3,
      nice: 5,
      uptime: 99_985,
      started_at_unix: BOOT + 15,
    });
  });

  it('computes CPU from the previous walk of the same process, per core', () => {
    const prev = new Map([[4242, { startTicks: 1500, cpuTicks: 0 }]]);
    const row = buildProcessRow(
      stat,
      0,
      '',
      ctx({ prev, prevAtMs: (BOOT + 100_000) * 1000 - 2000 }),
    );
    assert.equal(row.cpu_percent, 150); // 3 s of CPU in 2 s: one and a half cores
  });

  it('averages over the lifetime when the pid is new or was reused', () => {
    const reused = new Map([[4242, { startTicks: 99, cpuTicks: 0 }]]);
    const young = ctx({ prev: reused, prevAtMs: 1, nowMs: (BOOT + 21) * 1000 }); // alive 6 s, used 3 s
    assert.equal(buildProcessRow(stat, 0, '', young).cpu_percent, 50);
  });

  it('falls back to the name for the command, the uid for the user, and computes memory share', () => {
    const row = buildProcessRow(stat, 1234, '', ctx({ memTotal: 381 * 4096 * 4 }));
    assert.equal(row.command, '(a) b)');
    assert.equal(row.user, '1234');
    assert.equal(row.mem_percent, 25);
  });
});

describe('compareByCpu', () => {
  it('sorts the busiest first and ties by pid', () => {
    const stat = parsePidStat(fixture('pid-stat.txt')) as PidStat;
    const rows = [7, 3, 5].map((pid) => ({
      ...buildProcessRow(stat, 0, '', ctx()),
      pid,
      cpu_percent: pid === 5 ? 9 : 1,
    }));
    assert.deepEqual(
      rows.sort(compareByCpu).map((r) => r.pid),
      [5, 3, 7],
    );
  });
});

describe('createProcessLister', () => {
  const owner = statSync(`${procRoot}/1`).uid;
  const lister = () =>
    createProcessLister({ procRoot, pageSize: 4096, userName: (uid) => `u${uid}`, minGapMs: 1000 });

  it('counts and lists the processes of a fixture tree', () => {
    const l = lister();
    assert.equal(l.count(), 3);
    const { total, list } = l.collect((BOOT + 100_000) * 1000, BOOT, 8_192_000_000);
    assert.equal(total, 3);
    assert.deepEqual(
      list.map((r) => [r.pid, r.name, r.command, r.user]),
      [
        [1, 'init', '/sbin/init splash', `u${owner}`],
        [2, 'kthreadd', 'kthreadd', `u${owner}`],
        [4242, '(a) b)', 'python3 -c loop()', `u${owner}`],
      ],
    );
  });

  it('returns the previous walk when asked again within the minimum gap', () => {
    const l = lister();
    const first = l.collect(5_000_000, BOOT, 1);
    assert.equal(l.collect(5_000_500, BOOT, 1), first);
    assert.notEqual(l.collect(5_001_000, BOOT, 1), first);
  });
});

describe('detectPageSize', () => {
  it('finds a page size Linux uses', () => {
    assert.ok([4096, 16384, 65536].includes(detectPageSize()));
  });
});
