import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { createSpawnHelper, type SpawnHelper } from './spawn-helper.ts';
import { groupAlive } from '../../proc/process-group.ts';
import { spawnRun } from './spawn-run.ts';

const cwd = mkdtempSync(join(tmpdir(), 'bosun-helper-'));
describe('spawn-helper', () => {
  after(() => rmSync(cwd, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

  function runWith(helper: SpawnHelper, cmd: string, runEnv: Record<string, string> = env) {
    const chunks: Buffer[] = [];
    const proc = spawnRun(
      { cmd, cwd, env: runEnv, onOutput: (d) => chunks.push(d) },
      helper.launch,
    );
    return { proc, output: () => Buffer.concat(chunks).toString() };
  }

  /** The pids of this process's live spawn helpers. */
  function helperPids(): number[] {
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
    return children
      .trim()
      .split(' ')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('spawn-helper.pl');
        } catch {
          return false;
        }
      });
  }

  describe('createSpawnHelper', () => {
    it('runs many shells at once, each with its own environment and output', async () => {
      const helper = createSpawnHelper();
      try {
        const runs = Array.from({ length: 40 }, (_, i) =>
          runWith(helper, 'sleep 0.05; echo "run $N"', { ...env, N: String(i) }),
        );
        const exits = await Promise.all(runs.map((r) => r.proc.exited));
        assert.ok(exits.every((e) => e.exitCode === 0));
        runs.forEach((r, i) => assert.equal(r.output(), `run ${i}\n`));
        const pids = await Promise.all(runs.map((r) => r.proc.started.then((s) => s.pid)));
        assert.equal(new Set(pids).size, 40);
        assert.equal(helperPids().length, 1, 'one helper for all of them');
      } finally {
        helper.close();
      }
    });

    it("reports when the exec happened, on the agent's clock, not when the agent heard of it", async () => {
      const helper = createSpawnHelper();
      try {
        await runWith(helper, 'true').proc.exited; // the helper is up
        const asked = performance.now();
        const { proc } = runWith(helper, 'true');
        // The agent is busy while the helper starts the shell: the report waits, the time must not.
        const busyUntil = performance.now() + 500;
        while (performance.now() < busyUntil);
        const { pid, at } = await proc.started;
        assert.ok(pid > 0);
        assert.ok(
          at >= asked && at < busyUntil,
          `exec at ${at - asked} ms, asked at 0, heard at 500+`,
        );
      } finally {
        helper.close();
      }
    });

    it('ends the runs of a helper that dies as failed, kills their processes and starts a new one', async () => {
      const others = new Set(helperPids()); // the last test's, on its way out
      const ours = () => helperPids().filter((pid) => !others.has(pid));
      const helper = createSpawnHelper();
      try {
        const { proc, output } = runWith(helper, 'echo ready; sleep 300');
        const { pid } = await proc.started;
        while (!output().includes('ready')) await new Promise((r) => setTimeout(r, 10));
        const [first] = ours();
        assert.ok(first);
        process.kill(first, 'SIGKILL');
        const exit = await proc.exited;
        assert.equal(exit.exitCode, null);
        assert.match(
          exit.error ?? '',
          /the spawn helper exited \(SIGKILL\).*processes were killed/,
        );
        for (let i = 0; i < 100 && groupAlive(pid); i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(groupAlive(pid), false);

        const next = runWith(helper, 'echo again');
        assert.deepEqual(await next.proc.exited, { exitCode: 0, signal: null });
        assert.equal(next.output(), 'again\n');
        const [second] = ours();
        assert.ok(second !== undefined && second !== first);
      } finally {
        helper.close();
      }
    });

    it('starts the helper ahead of the first run when told a run is due soon', async () => {
      const helper = createSpawnHelper();
      // Helpers of earlier tests may still be on their way out.
      const others = new Set(helperPids());
      const ours = () => helperPids().filter((pid) => !others.has(pid));
      try {
        assert.deepEqual(ours(), []);
        helper.prepare();
        const [pid] = ours();
        assert.ok(pid);
        helper.prepare();
        await runWith(helper, 'true').proc.exited;
        assert.deepEqual(ours(), [pid]);
      } finally {
        helper.close();
      }
    });

    it('spawns directly, and says why once, where perl is missing', async () => {
      const reasons: string[] = [];
      const before = new Set(helperPids());
      const helper = createSpawnHelper({
        perl: join(cwd, 'no-perl'),
        onUnavailable: (r) => reasons.push(r),
      });
      const { proc, output } = runWith(helper, 'echo direct');
      assert.deepEqual(await proc.exited, { exitCode: 0, signal: null });
      assert.equal(output(), 'direct\n');
      await runWith(helper, 'true').proc.exited;
      assert.deepEqual(reasons, [`${join(cwd, 'no-perl')} is not there to run the spawn helper`]);
      assert.deepEqual(
        helperPids().filter((pid) => !before.has(pid)),
        [],
      );
    });

    it('spawns directly the runs it was asked for when the helper exits before it is ready', async () => {
      const reasons: string[] = [];
      // /bin/false "runs" the script and exits 1 at once, as a helper without pidfd_open would.
      const helper = createSpawnHelper({
        perl: '/bin/false',
        onUnavailable: (r) => reasons.push(r),
      });
      const runs = [runWith(helper, 'echo one'), runWith(helper, 'echo two')];
      const exits = await Promise.all(runs.map((r) => r.proc.exited));
      assert.deepEqual(exits, [
        { exitCode: 0, signal: null },
        { exitCode: 0, signal: null },
      ]);
      assert.deepEqual(
        runs.map((r) => r.output()),
        ['one\n', 'two\n'],
      );
      assert.equal(reasons.length, 1);
      assert.match(reasons[0] ?? '', /the spawn helper exited \(code 1\)/);
    });

    it('spawns directly what waited for a helper that was closed before it was ready', async () => {
      const helper = createSpawnHelper();
      const { proc, output } = runWith(helper, 'echo waited');
      helper.close();
      assert.deepEqual(await proc.exited, { exitCode: 0, signal: null });
      assert.equal(output(), 'waited\n');
    });

    it('goes away when closed and leaves later runs to the agent', async () => {
      const helper = createSpawnHelper();
      await runWith(helper, 'true').proc.exited;
      const [pid] = helperPids();
      assert.ok(pid);
      helper.close();
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline && readdirSync('/proc').includes(String(pid))) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(!helperPids().includes(pid));
      const { proc, output } = runWith(helper, 'echo after');
      assert.deepEqual(await proc.exited, { exitCode: 0, signal: null });
      assert.equal(output(), 'after\n');
    });

    it(
      'kills every run when the fence passes, and none while it is renewed',
      { timeout: 20_000 },
      async () => {
        const helper = createSpawnHelper();
        try {
          const runs = [runWith(helper, 'sleep 300'), runWith(helper, 'sleep 300 & wait')];
          // Deadlines far longer than the renewal period: a loaded machine's late timer must not
          // let one pass while the test renews it.
          helper.fence(performance.now() + 1500);
          const pids = await Promise.all(runs.map((r) => r.proc.started.then((s) => s.pid)));
          for (let i = 0; i < 20; i++) {
            await new Promise((r) => setTimeout(r, 100));
            helper.fence(performance.now() + 1500); // renewed in time: past the first deadline
          }
          assert.ok(pids.every(groupAlive), 'alive while the fence is renewed');
          const exits = await Promise.all(runs.map((r) => r.proc.exited));
          assert.deepEqual(
            exits.map((e) => e.signal),
            ['SIGKILL', 'SIGKILL'],
          );
          assert.ok(!pids.some(groupAlive));
        } finally {
          helper.close();
        }
      },
    );

    // The agent in another process, so that it can be stopped and killed as an operator would. It sets
    // the fence when the test says so, once its run is up: a deadline counted from its own start would
    // pass first on a loaded machine, where loading the modules can take longer than the fence.
    const agentScript = `
    import { createInterface } from 'node:readline';
    import { createSpawnHelper } from ${JSON.stringify(new URL('./spawn-helper.ts', import.meta.url).href)};
    import { spawnRun } from ${JSON.stringify(new URL('./spawn-run.ts', import.meta.url).href)};
    const helper = createSpawnHelper();
    const proc = spawnRun({ cmd: 'sleep 300 & sleep 300', cwd: process.cwd(), env: {}, onOutput() {} }, helper.launch);
    console.log((await proc.started).pid);
    for await (const ms of createInterface({ input: process.stdin })) {
      helper.fence(performance.now() + Number(ms));
      setImmediate(() => console.log('fenced'));
    }
  `;

    async function startAgent() {
      const child = spawn(process.execPath, ['--input-type=module', '-e', agentScript], {
        cwd,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const pgid = Number((await lines.next()).value);
      /** Sets the agent's fence `ms` from now, and returns once it has. */
      const fence = async (ms: number): Promise<void> => {
        child.stdin.write(`${ms}\n`);
        assert.equal((await lines.next()).value, 'fenced');
      };
      return { child, pgid, fence };
    }

    async function gone(pgid: number): Promise<void> {
      while (groupAlive(pgid)) await new Promise((r) => setTimeout(r, 20));
    }

    it(
      'kills the runs at the fence while the agent is stopped (SIGSTOP)',
      { timeout: 20_000 },
      async () => {
        const { child, pgid, fence } = await startAgent();
        try {
          assert.ok(groupAlive(pgid));
          await fence(1000);
          child.kill('SIGSTOP');
          assert.ok(groupAlive(pgid), 'the fence passed before the agent was stopped');
          await gone(pgid); // the helper, not the stopped agent, killed them
          assert.equal(readFileSync(`/proc/${child.pid}/stat`, 'latin1').split(') ')[1]?.[0], 'T');
        } finally {
          child.kill('SIGKILL');
        }
      },
    );

    it('kills the runs at once when the agent dies (SIGKILL)', { timeout: 20_000 }, async () => {
      const { child, pgid } = await startAgent();
      assert.ok(groupAlive(pgid));
      child.kill('SIGKILL');
      await gone(pgid);
    });
  });
});
