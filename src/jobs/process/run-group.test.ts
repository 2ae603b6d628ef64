import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { killRunGroup } from './run-group.ts';
import { groupAlive } from '../../proc/process-group.ts';

test('kills a group only when a member carries the run id', async () => {
  const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30; wait'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, BOSUN_RUN_ID: '4242' },
  });
  const pgid = child.pid as number;
  await sleep(100);
  try {
    assert.equal(killRunGroup(pgid, '9999'), false, 'another run id: left alone');
    assert.equal(groupAlive(pgid), true);
    assert.equal(killRunGroup(pgid, '4242'), true);
    for (let i = 0; i < 50 && groupAlive(pgid); i += 1) await sleep(50);
    assert.equal(groupAlive(pgid), false);
  } finally {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

test('refuses pgids that could reach the agent itself', () => {
  assert.equal(killRunGroup(0, '1'), false);
  assert.equal(killRunGroup(1, '1'), false);
});
