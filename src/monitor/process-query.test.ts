import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentError } from '../errors.ts';
import { parseProcessQuery, queryProcesses, toProcessSort } from './process-query.ts';
import type { ProcessRow } from './snapshot.ts';

const row = (pid: number, name: string, extra: Partial<ProcessRow> = {}): ProcessRow => ({
  pid,
  ppid: 1,
  name,
  user: 'daemon',
  cpu_percent: 0,
  mem_percent: 0,
  rss: 0,
  status: 'S',
  command: name,
  threads: 1,
  nice: 0,
  uptime: 10,
  started_at_unix: 1_700_000_000,
  ...extra,
});

const rows = [
  row(10, 'sshd', { cpu_percent: 1.5, rss: 300, command: 'sshd: alice@pts/0', user: 'alice' }),
  row(20, 'node', { cpu_percent: 7.2, rss: 900, ppid: 10 }),
  row(30, 'bash', { cpu_percent: 1.5, rss: 100, status: 'R' }),
  row(5, 'init', { cpu_percent: 0, rss: 900 }),
];

describe('parseProcessQuery', () => {
  it('defaults to sorting by cpu with no filter and no limit', () => {
    assert.deepEqual(parseProcessQuery({}), { filter: '', sort: 'cpu', limit: 0 });
  });

  it('accepts q as an alias of filter, prefers a non-blank filter, and trims both (vminfo)', () => {
    assert.equal(parseProcessQuery({ q: 'ssh' }).filter, 'ssh');
    assert.equal(parseProcessQuery({ q: 'ssh', filter: 'node' }).filter, 'node');
    assert.equal(parseProcessQuery({ q: 'ssh', filter: '  ' }).filter, 'ssh');
    assert.equal(parseProcessQuery({ filter: '  node ' }).filter, 'node');
  });

  it('reads the sort key in any case and with spaces around it', () => {
    for (const sort of ['mem', 'MEM', ' Mem ']) {
      assert.equal(parseProcessQuery({ sort }).sort, 'mem');
    }
    assert.equal(parseProcessQuery({ sort: 'name' }).sort, 'name');
    assert.equal(parseProcessQuery({ sort: ['pid', 'cpu'] }).sort, 'pid', 'the first value counts');
  });

  it('falls back to cpu for an empty or unknown sort, as vminfo does, instead of refusing it', () => {
    for (const sort of ['', 'size', 'rss', 'CPU%', '../etc']) {
      assert.equal(parseProcessQuery({ sort }).sort, 'cpu', JSON.stringify(sort));
    }
    assert.equal(toProcessSort(undefined), 'cpu');
  });

  it('rejects a negative or non-numeric limit', () => {
    for (const limit of ['-1', 'ten', '1.5', '1e3']) {
      assert.throws(
        () => parseProcessQuery({ limit }),
        (err: unknown) =>
          err instanceof AgentError &&
          err.code === 'INVALID_INPUT' &&
          /invalid limit.*0 or more/.test(err.message),
      );
    }
  });

  it('treats an empty limit as no limit and reads a limit as strconv.Atoi does', () => {
    assert.equal(parseProcessQuery({ limit: '' }).limit, 0);
    assert.equal(parseProcessQuery({ limit: ' 5 ' }).limit, 5);
    assert.equal(parseProcessQuery({ limit: '+7' }).limit, 7);
  });
});

describe('queryProcesses', () => {
  it('sorts by cpu descending with ties broken by pid', () => {
    const out = queryProcesses(rows, { filter: '', sort: 'cpu', limit: 0 });
    assert.deepEqual(
      out.list.map((r) => r.pid),
      [20, 10, 30, 5],
    );
  });

  it('sorts by memory percent descending (rss, then pid, on a tie), by pid and by name ascending', () => {
    assert.deepEqual(
      queryProcesses(rows, { filter: '', sort: 'mem', limit: 0 }).list.map((r) => r.pid),
      [5, 20, 10, 30],
    );
    assert.deepEqual(
      queryProcesses(rows, { filter: '', sort: 'pid', limit: 0 }).list.map((r) => r.pid),
      [5, 10, 20, 30],
    );
    assert.deepEqual(
      queryProcesses(rows, { filter: '', sort: 'name', limit: 0 }).list.map((r) => r.name),
      ['bash', 'init', 'node', 'sshd'],
    );
  });

  it('sorts mem by mem_percent, the figure vminfo sorts by, not by rss alone', () => {
    // Rows from two snapshots can disagree between rss and percent; the percent decides.
    const mixed = [
      row(1, 'a', { mem_percent: 1.2, rss: 5000 }),
      row(2, 'b', { mem_percent: 3.4, rss: 100 }),
      row(3, 'c', { mem_percent: 1.2, rss: 9000 }),
      row(4, 'd', { mem_percent: 1.2, rss: 9000 }),
    ];
    assert.deepEqual(
      queryProcesses(mixed, { filter: '', sort: 'mem', limit: 0 }).list.map((r) => r.pid),
      [2, 3, 4, 1],
    );
  });

  it('sorts names case-insensitively, ties by pid, as vminfo does', () => {
    const named = [
      row(7, 'Xorg'),
      row(3, 'bash'),
      row(9, 'ModemManager'),
      row(2, 'agetty'),
      row(8, 'BASH'),
      row(1, ' zsh'),
    ];
    assert.deepEqual(
      queryProcesses(named, { filter: '', sort: 'name', limit: 0 }).list.map((r) => r.pid),
      [2, 3, 8, 9, 7, 1],
    );
  });

  it('filters case-insensitively over name, command, user, status, pid and ppid', () => {
    const pids = (filter: string) =>
      queryProcesses(rows, { filter, sort: 'pid', limit: 0 }).list.map((r) => r.pid);
    assert.deepEqual(pids('SSH'), [10]);
    assert.deepEqual(pids('alice'), [10]);
    assert.deepEqual(pids('r'), [30]); // status R; no name, command or user contains "r"
    assert.deepEqual(pids('20'), [20]);
    assert.deepEqual(pids('10'), [10, 20]); // pid 10 and ppid 10
    assert.deepEqual(pids('nothing-matches'), []);
  });

  it('reports how many matched before applying the limit', () => {
    const out = queryProcesses(rows, { filter: '', sort: 'cpu', limit: 2 });
    assert.equal(out.matched, 4);
    assert.equal(out.list.length, 2);
  });

  it('does not reorder the input list', () => {
    const input = [...rows];
    queryProcesses(input, { filter: '', sort: 'name', limit: 0 });
    assert.deepEqual(input, rows);
  });
});
