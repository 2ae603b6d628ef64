import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentError } from '../errors.ts';
import { parseProcessQuery, queryProcesses } from './process-query.ts';
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

  it('accepts q as an alias of filter and prefers filter when both are given', () => {
    assert.equal(parseProcessQuery({ q: 'ssh' }).filter, 'ssh');
    assert.equal(parseProcessQuery({ q: 'ssh', filter: 'node' }).filter, 'node');
  });

  it('rejects an unknown sort naming the allowed values', () => {
    assert.throws(
      () => parseProcessQuery({ sort: 'size' }),
      (err: unknown) =>
        err instanceof AgentError &&
        err.code === 'INVALID_INPUT' &&
        /sort.*cpu, mem, pid, name/.test(err.message),
    );
  });

  it('rejects a negative or non-numeric limit', () => {
    for (const limit of ['-1', 'ten', '1.5', '1e3']) {
      assert.throws(() => parseProcessQuery({ limit }), /invalid limit/);
    }
  });

  it('treats an empty limit as no limit', () => {
    assert.equal(parseProcessQuery({ limit: '' }).limit, 0);
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

  it('sorts by memory (rss) descending, by pid and by name ascending', () => {
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
