// The engine holds its run's fence itself (the agent spawns pipeline runs directly, not through the
// spawn helper): it kills its whole group when the fence is not renewed, and when the agent goes away.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { groupAlive } from '../../proc/process-group.ts';

const ENGINE = fileURLToPath(new URL('./engine-main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bosun-engine-fence-'));
describe('engine-fence', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A pipeline that runs for minutes, started as the runner starts one: its own group, fds 3 and 4. */
  function startEngine() {
    const file = join(dir, `run-${Math.random()}.json`);
    const config = {
      env: { 'job.mode': 'STREAMING' },
      source: [
        {
          plugin_name: 'FakeSource',
          'row.num': 100_000,
          'split.num': 1000,
          'split.read-interval': 100,
          schema: { fields: { n: 'int' } },
        },
      ],
      sink: [{ plugin_name: 'Console' }],
    };
    writeFileSync(
      file,
      JSON.stringify({ jobId: '1', runId: '1', format: 'json', config: JSON.stringify(config) }),
    );
    // A sibling in the group, as a shell's background job would be.
    const child = spawn(
      '/bin/sh',
      ['-c', `sleep 300 & exec "${process.execPath}" "${ENGINE}" "${file}"`],
      {
        detached: true,
        stdio: ['ignore', 'ignore', 'inherit', 'pipe', 'pipe'],
      },
    );
    // The agent's side: the engine writes fd 3 and reads fd 4.
    const control = child.stdio[4] as Duplex;
    control.on('error', () => {}); // reset when the group is killed
    const exited = new Promise<string | null>((resolve) =>
      child.on('exit', (_c, signal) => resolve(signal)),
    );
    return { pgid: child.pid as number, control, exited };
  }

  async function gone(pgid: number): Promise<void> {
    while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 20));
  }

  describe('the engine fence', { timeout: 30_000 }, () => {
    it('kills the run and its group when the fence is not renewed', async () => {
      const { pgid, control, exited } = startEngine();
      // A deadline far longer than the renewal period, so that a late timer cannot let one pass.
      const renew = () => control.write(`${JSON.stringify({ type: 'fence', ms: 1500 })}\n`);
      renew();
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 200));
        renew();
      }
      assert.ok(groupAlive(pgid), 'alive while renewed');
      assert.equal(await exited, 'SIGKILL');
      await gone(pgid);
    });

    it('kills the run and its group when the agent goes away', async () => {
      const { pgid, control, exited } = startEngine();
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(groupAlive(pgid));
      control.destroy();
      assert.equal(await exited, 'SIGKILL');
      await gone(pgid);
    });
  });
});
