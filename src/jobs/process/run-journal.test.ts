import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openRunJournal } from './run-journal.ts';
import { groupAlive } from '../../proc/process-group.ts';

const dir = mkdtempSync(join(tmpdir(), 'bosun-journal-'));
describe('run-journal', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A run's group as the runner starts it: its own session, the run id in its environment. */
  function group(runId: string, cmd = 'sleep 300 & sleep 300'): number {
    const child = spawn('/bin/sh', ['-c', cmd], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BOSUN_RUN_ID: runId },
    });
    child.unref();
    return child.pid as number;
  }

  async function gone(pgid: number): Promise<boolean> {
    for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(20);
    return !groupAlive(pgid);
  }

  const kill = (pgid: number): void => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  };

  describe('openRunJournal', () => {
    it('kills on the next open what a previous life left running, and nothing that ended', async () => {
      const file = join(dir, 'life');
      const left = group('11');
      const ended = group('12');
      const first = openRunJournal(file);
      assert.deepEqual(first.killed, []);
      first.journal.started('11', left);
      first.journal.started('12', ended);
      first.journal.ended('12');
      // The agent dies here (no close): the next life opens the same file.
      try {
        const next = openRunJournal(file);
        assert.deepEqual(next.killed, [{ runId: '11', pgid: left }]);
        assert.ok(await gone(left));
        assert.ok(groupAlive(ended), 'a group recorded as ended is not touched');
        next.journal.close();
        assert.equal(readFileSync(file, 'latin1'), '', 'the new life starts with an empty journal');
        assert.deepEqual(openRunJournal(file).killed, []);
      } finally {
        kill(left);
        kill(ended);
      }
    });

    it('leaves alone a group whose leader is another process now (a reused pid)', async () => {
      const file = join(dir, 'reused');
      const pgid = group('21');
      const { journal } = openRunJournal(file);
      journal.started('21', pgid);
      journal.close();
      // The same pid with another start time, as a reused pid would have.
      const text = readFileSync(file, 'latin1');
      writeFileSync(
        file,
        text.replace(/^(\+ 21 \d+ )(\d+)/m, (_, head, start) => `${head}${Number(start) - 1}`),
      );
      try {
        assert.deepEqual(openRunJournal(file).killed, []);
        assert.ok(groupAlive(pgid));
        // Another boot: nothing of it can be alive.
        writeFileSync(
          file,
          text.replace(/ [0-9a-f-]+\n$/, ' 00000000-0000-0000-0000-000000000000\n'),
        );
        assert.deepEqual(openRunJournal(file).killed, []);
        assert.ok(groupAlive(pgid));
      } finally {
        kill(pgid);
      }
    });

    it('finds a group whose leader exited by the run id its members carry', async () => {
      const file = join(dir, 'leaderless');
      const pgid = group('31', 'sleep 300 & sleep 0.2; exit 0');
      const { journal } = openRunJournal(file);
      journal.started('31', pgid);
      journal.close();
      await sleep(400); // the leader exits; its background sleep stays in the group
      try {
        const { killed } = openRunJournal(file);
        assert.deepEqual(killed, [{ runId: '31', pgid }]);
        assert.ok(await gone(pgid));
      } finally {
        kill(pgid);
      }
    });

    it('ignores a torn last line and compacts itself', () => {
      const file = join(dir, 'torn');
      writeFileSync(file, '+ 41 999999 12');
      const { journal, killed } = openRunJournal(file);
      assert.deepEqual(killed, []);
      for (let i = 0; i < 5000; i++) {
        journal.started(`run${i}`, process.pid);
        journal.ended(`run${i}`);
      }
      journal.close();
      assert.ok(readFileSync(file, 'latin1').split('\n').length < 4200, 'rewritten as it grew');
    });
  });
});
