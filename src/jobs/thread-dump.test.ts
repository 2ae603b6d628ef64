import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobState } from './jobs-service.ts';
import type { Job } from '../model/jobs.ts';
import type { Run } from '../model/runs.ts';
import { agentThreads, agentThreadTimes, threadDump } from './thread-dump.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-threads-'));
describe('thread-dump', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A /proc/<pid>/task/<tid>/stat line: the fields the parser needs, the name as the kernel writes it. */
  const stat = (tid: number, name: string, state: string) =>
    `${tid} (${name}) ${state} 1 ${Array.from({ length: 48 }, () => '0').join(' ')}\n`;

  describe('agentThreads', () => {
    it("reads each thread's name and state, a name with spaces and parentheses included", () => {
      const task = path.join(dir, 'task');
      for (const [tid, name, state] of [
        [101, 'node', 'S'],
        [102, 'V8 (worker) 1', 'R'],
      ] as const) {
        mkdirSync(path.join(task, String(tid)), { recursive: true });
        writeFileSync(path.join(task, String(tid), 'stat'), stat(tid, name, state));
      }
      mkdirSync(path.join(task, '103')); // a thread that ended between the listing and the read
      const threads = agentThreads(task).sort((a, b) => a.tid - b.tid);
      assert.deepEqual(threads, [
        { tid: 101, name: 'node', state: 'S' },
        { tid: 102, name: 'V8 (worker) 1', state: 'R' },
        { tid: 103, name: 'thread', state: '?' },
      ]);
    });

    it('lists this process, its main thread among them, and none where there is no /proc', () => {
      const threads = agentThreads();
      assert.ok(
        threads.some((t) => t.tid === process.pid && t.state !== '?'),
        'the main thread',
      );
      assert.deepEqual(agentThreads(path.join(dir, 'nothing')), []);
    });
  });

  describe('agentThreadTimes', () => {
    it('adds CPU ticks (utime + stime), nice and start time to each thread', () => {
      const task = path.join(dir, 'task-times');
      const fields = Array.from({ length: 48 }, () => '0');
      // The fields after state and ppid: utime, stime, nice and starttime are the 10th, 11th, 15th
      // and 18th of them (0-based), stat(5)'s fields 14, 15, 19 and 22.
      fields[9] = '30'; // utime
      fields[10] = '12'; // stime
      fields[14] = '5'; // nice
      fields[17] = '4242'; // starttime
      mkdirSync(path.join(task, '201'), { recursive: true });
      writeFileSync(path.join(task, '201', 'stat'), `201 (libuv-worker) R 1 ${fields.join(' ')}\n`);
      assert.deepEqual(agentThreadTimes(task), [
        { tid: 201, name: 'libuv-worker', state: 'R', cpuTicks: 42, nice: 5, startTicks: 4242 },
      ]);
      assert.deepEqual(agentThreadTimes(path.join(dir, 'nothing')), []);
    });
  });

  describe('threadDump', () => {
    it('lists the engines of running pipeline runs only', () => {
      const job = { id: '1', name: 'seatunnel-5', kind: 'pipeline' } as Job;
      const state = (run: Partial<Run> | undefined): JobState => ({
        job,
        nextRunAt: undefined,
        lastRun: run as Run | undefined,
      });
      const dump = threadDump(
        [
          state({ id: '10', state: 'running', pgid: 4242 }),
          state({ id: '11', state: 'running' }), // claimed, its engine not started yet
          state({ id: '12', state: 'succeeded', pgid: 4243 }),
          state(undefined),
        ],
        path.join(dir, 'nothing'),
      );
      assert.deepEqual(
        dump.engines.map((e) => [e.job.name, e.run.id, e.run.pgid]),
        [['seatunnel-5', '10', 4242]],
      );
      assert.deepEqual(dump.threads, []);
    });
  });
});
