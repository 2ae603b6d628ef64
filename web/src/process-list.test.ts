import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSort, matchesFilter, selectProcesses } from './process-list.ts';
import type { ProcessRow } from './types.ts';

function row(over: Partial<ProcessRow>): ProcessRow {
  return {
    pid: 1,
    ppid: 0,
    name: 'init',
    user: 'root',
    cpu_percent: 0,
    mem_percent: 0,
    rss: 0,
    status: 'S',
    command: '/sbin/init',
    threads: 1,
    nice: 0,
    uptime: 0,
    started_at_unix: 0,
    ...over,
  };
}

const list = [
  row({ pid: 1, name: 'systemd', command: '/sbin/init', cpu_percent: 0.1, rss: 10 }),
  row({
    pid: 812,
    ppid: 1,
    name: 'sshd',
    command: 'sshd: /usr/sbin/sshd -D',
    cpu_percent: 0.1,
    rss: 50,
  }),
  row({
    pid: 4242,
    ppid: 812,
    name: 'node',
    user: 'Alice',
    command: 'node src/main.ts serve',
    cpu_percent: 12.5,
    rss: 90,
    status: 'R',
  }),
  row({ pid: 77, ppid: 2, name: 'kworker/0:1', command: '', status: 'Z', rss: 0 }),
];

test('filter matches pid, ppid, name, command, user and status case-insensitively', () => {
  const pids = (filter: string) => selectProcesses(list, filter, 'pid', 0).rows.map((r) => r.pid);
  assert.deepEqual(pids('4242'), [4242]);
  assert.deepEqual(pids('812'), [812, 4242], 'pid 812 and the child whose ppid is 812');
  assert.deepEqual(pids('SSHD'), [812]);
  assert.deepEqual(pids('main.ts'), [4242]);
  assert.deepEqual(pids('alice'), [4242]);
  assert.deepEqual(pids('  z  '), [77], 'status, and the input is trimmed');
  assert.deepEqual(pids('no such thing'), []);
  assert.deepEqual(pids(''), [1, 77, 812, 4242]);
  assert.equal(
    matchesFilter(list[3] as ProcessRow, 'worker'),
    true,
    'an empty command still matches by name',
  );
});

test('sorts like the API: cpu and mem descending, pid and name ascending, ties by pid', () => {
  const order = (sort: 'cpu' | 'mem' | 'pid' | 'name') =>
    selectProcesses(list, '', sort, 0).rows.map((r) => r.pid);
  assert.deepEqual(order('cpu'), [4242, 1, 812, 77]);
  assert.deepEqual(order('mem'), [4242, 812, 1, 77]);
  assert.deepEqual(order('pid'), [1, 77, 812, 4242]);
  assert.deepEqual(order('name'), [77, 4242, 812, 1]);
});

test('sorts mem by memory percent and names case-insensitively, as /api/v1/processes does', () => {
  const mixed = [
    row({ pid: 10, name: 'Xorg', mem_percent: 2.5, rss: 10 }),
    row({ pid: 11, name: 'bash', mem_percent: 0.4, rss: 900 }),
    row({ pid: 12, name: 'NetworkManager', mem_percent: 7.1, rss: 20 }),
    row({ pid: 13, name: 'agetty', mem_percent: 0.4, rss: 40 }),
  ];
  const pids = (sort: 'mem' | 'name') => selectProcesses(mixed, '', sort, 0).rows.map((r) => r.pid);
  assert.deepEqual(pids('mem'), [12, 10, 11, 13], 'percent first; rss breaks the 0.4 tie');
  assert.deepEqual(pids('name'), [13, 11, 12, 10], 'agetty, bash, NetworkManager, Xorg');
});

test('limit cuts the rows but matched counts all of them', () => {
  const view = selectProcesses(list, '', 'cpu', 2);
  assert.equal(view.rows.length, 2);
  assert.equal(view.matched, 4);
  assert.equal(selectProcesses(list, '', 'cpu', 0).rows.length, 4);
});

test('does not reorder the caller’s list', () => {
  const before = list.map((r) => r.pid);
  selectProcesses(list, '', 'name', 0);
  assert.deepEqual(
    list.map((r) => r.pid),
    before,
  );
});

test('isSort', () => {
  assert.equal(isSort('mem'), true);
  assert.equal(isSort('rss'), false);
  assert.equal(isSort(undefined), false);
});
