import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPidStat } from '../../proc/pid-stat.ts';
import { groupAlive } from '../../proc/process-group.ts';
import { createSpawnHelper } from './spawn-helper.ts';
import {
  killGroup,
  launchDirect,
  spawnRun as spawnWith,
  type Launcher,
  type RunningProcess,
  type SpawnRunOptions,
} from './spawn-run.ts';

const cwd = mkdtempSync(join(tmpdir(), 'bosun-spawn-'));
describe('spawn-run', () => {
  after(() => rmSync(cwd, { recursive: true, force: true }));

  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

  // No assertion here bounds an elapsed time (a loaded machine would fail it). What must end "at
  // once" gets a grace period or a wait longer than its test's own timeout, so that waiting it out
  // fails the test; what must wait is shown by the order of what the job printed.
  /** The own timeout of a test that must not wait out a grace period. */
  const WITHIN = { timeout: 20_000 };
  /** A grace period (or a wait) longer than WITHIN: only a run that ends without it passes. */
  const LONGER_THAN_THE_TEST = 60_000;

  // Every behaviour holds whoever forks: the agent itself, or the spawn helper.
  const helper = createSpawnHelper({
    onUnavailable: (reason) => assert.fail(`the spawn helper should run here: ${reason}`),
  });
  after(() => helper.close());
  let launch: Launcher = launchDirect;
  const spawnRun = (opts: SpawnRunOptions) => spawnWith(opts, launch);

  function run(cmd: string, drainMs?: number): { proc: RunningProcess; output: () => string } {
    const chunks: Buffer[] = [];
    const proc = spawnRun({ cmd, cwd, env, onOutput: (d) => chunks.push(d), drainMs });
    return { proc, output: () => Buffer.concat(chunks).toString() };
  }

  /** Live (not zombie) members of a process group, read from /proc. */
  function liveMembers(pgid: number): number[] {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        const stat = readPidStat(name);
        return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
      })
      .map(Number);
  }

  async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (check()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return check();
  }

  /** Waits for the job to print "ready", then stops it. */
  async function stopWhenReady(
    proc: RunningProcess,
    output: () => string,
    signal: NodeJS.Signals,
    graceMs: number,
  ): Promise<void> {
    await waitFor(() => output().includes('ready'), 2000);
    await proc.stop(signal, graceMs);
  }

  for (const [name, launcher] of [
    ['direct', launchDirect],
    ['spawn helper', helper.launch],
  ] as const) {
    describe(`spawnRun (${name})`, () => {
      before(() => {
        launch = launcher;
      });

      it('reports the exit code', async () => {
        const { proc } = run('exit 7');
        const { pid } = await proc.started;
        assert.ok(pid > 0);
        assert.deepEqual(await proc.exited, { exitCode: 7, signal: null });
      });

      it('reports a process killed by a signal as that signal', async () => {
        const { proc } = run('kill -KILL $$');
        assert.deepEqual(await proc.exited, { exitCode: null, signal: 'SIGKILL' });
      });

      it('combines stdout and stderr in the order they were written', async () => {
        const { proc, output } = run('echo a; echo b >&2; echo c; echo d >&2; printf e');
        await proc.exited;
        assert.equal(output(), 'a\nb\nc\nd\ne');
      });

      it('passes exactly the given environment and cwd', async () => {
        const chunks: Buffer[] = [];
        const proc = spawnRun({
          cmd: 'echo "$FOO|$HOME|$(pwd)"',
          cwd,
          env: { FOO: 'bar' },
          onOutput: (d) => chunks.push(d),
        });
        await proc.exited;
        assert.equal(Buffer.concat(chunks).toString(), `bar||${cwd}\n`);
      });

      it('stop() with SIGTERM kills the shell and its grandchildren', WITHIN, async () => {
        const { proc } = run("sh -c 'sleep 300 & sleep 300; wait' & sleep 300 & wait");
        const { pid } = await proc.started;
        await waitFor(() => liveMembers(pid).length >= 5, 2000);
        assert.ok(liveMembers(pid).length >= 4, 'the job started its processes');
        assert.ok(groupAlive(pid));
        // A grace period longer than the test: the stop passes only if it did not need it.
        await proc.stop('SIGTERM', LONGER_THAN_THE_TEST);
        const exit = await proc.exited;
        assert.equal(exit.signal, 'SIGTERM');
        assert.ok(await waitFor(() => liveMembers(pid).length === 0, 1000));
        assert.equal(groupAlive(pid), false);
      });

      it(
        'SIGKILLs a job that ignores the stop signal once the grace period is over',
        WITHIN,
        async () => {
          // It outlives the SIGTERM: it says so and goes on ticking, until the SIGKILL.
          const { proc, output } = run(
            "trap 'echo term' TERM; echo ready; while :; do sleep 0.05; echo tick; done",
          );
          const { pid } = await proc.started;
          await stopWhenReady(proc, output, 'SIGTERM', 1000);
          assert.match(output(), /\nterm\n(tick\n)*tick\n/, 'it ran on after the SIGTERM');
          assert.deepEqual(await proc.exited, { exitCode: null, signal: 'SIGKILL' });
          assert.ok(await waitFor(() => !groupAlive(pid), 1000));
        },
      );

      it('delivers SIGINT for Cloudtask-style stops', async () => {
        const { proc, output } = run(
          "trap 'echo got INT; exit 3' INT; echo ready; while :; do sleep 0.05; done",
        );
        await stopWhenReady(proc, output, 'SIGINT', 5000);
        assert.deepEqual(await proc.exited, { exitCode: 3, signal: null });
        assert.match(output(), /got INT/);
      });

      it(
        'gives processes the shell started the grace period even when the shell dies at once',
        WITHIN,
        async () => {
          // The outer shell dies on SIGTERM at once; the inner one takes 300 ms to clean up and must
          // not be SIGKILLed just because its parent is gone. The stop ends when the group does, not
          // when a grace period longer than the test would.
          const { proc, output } = run(
            'sh -c \'trap "sleep 0.3; echo cleaned; exit 0" TERM; echo ready; while :; do sleep 0.05; done\'; echo after',
          );
          const { pid } = await proc.started;
          await stopWhenReady(proc, output, 'SIGTERM', LONGER_THAN_THE_TEST);
          assert.equal(groupAlive(pid), false, 'the stop waited for the inner shell to clean up');
          assert.equal((await proc.exited).signal, 'SIGTERM');
          assert.match(output(), /cleaned\n$/);
          assert.equal(groupAlive(pid), false);
        },
      );

      it('SIGKILLs what the shell left once the grace period is over', WITHIN, async () => {
        // The inner shell outlives the SIGTERM: it says so and goes on ticking, until the SIGKILL.
        const { proc, output } = run(
          'sh -c \'trap "echo term" TERM; echo ready; while :; do sleep 0.05; echo tick; done\'; echo after',
        );
        const { pid } = await proc.started;
        await stopWhenReady(proc, output, 'SIGTERM', 1000);
        assert.equal((await proc.exited).signal, 'SIGTERM', 'the shell itself died of the SIGTERM');
        // Without the lines the shell prints when the SIGTERM ends its foreground sleep.
        const said = output().replace(/^Terminated\n/gm, '');
        assert.match(
          said,
          /^ready\n(tick\n)*term\n(tick\n)*tick\n$/,
          'it ran on after the SIGTERM',
        );
        assert.ok(await waitFor(() => !groupAlive(pid), 1000));
      });

      it('treats stop() twice and stop() after the exit as safe', async () => {
        const { proc } = run('sleep 300');
        await Promise.all([proc.stop('SIGTERM', 1000), proc.stop('SIGTERM', 1000)]);
        assert.equal((await proc.exited).signal, 'SIGTERM');
        await proc.stop('SIGKILL', 0);
      });

      it('kills background processes the job left behind when its shell exits', async () => {
        const { proc, output } = run('sleep 300 & echo $!');
        const { pid } = await proc.started;
        const exit = await proc.exited;
        assert.equal(exit.exitCode, 0);
        const bg = Number(output().trim());
        assert.ok(bg > 0);
        assert.ok(await waitFor(() => !groupAlive(pid), 1000));
      });

      it('reports a missing working directory clearly instead of throwing', async () => {
        const missing = join(cwd, 'nope');
        const proc = spawnRun({ cmd: 'true', cwd: missing, env, onOutput: () => {} });
        const { pid } = await proc.started;
        assert.equal(pid, 0);
        const exit = await proc.exited;
        assert.equal(exit.exitCode, null);
        assert.match(exit.error ?? '', new RegExp(`working directory ${missing} does not exist`));
        await proc.stop('SIGTERM', 0);
      });

      it('reports an invalid command without throwing', async () => {
        const proc = spawnRun({ cmd: 'echo \u0000', cwd, env, onOutput: () => {} });
        assert.match((await proc.exited).error ?? '', /could not start the job/);
      });

      it('passes a large output on whole and in order', async () => {
        const { proc, output } = run("seq 1 200000; printf 'end'");
        assert.equal((await proc.exited).exitCode, 0);
        const text = output();
        assert.equal(text.length, 1_288_895 + 3);
        assert.ok(text.startsWith('1\n2\n3\n') && text.endsWith('\n199999\n200000\nend'));
      });

      it('reports a shell the kernel refuses to exec as not started', async () => {
        // One environment string over MAX_ARG_STRLEN (128 KiB): execve fails with E2BIG.
        const proc = spawnRun({
          cmd: 'true',
          cwd,
          env: { ...env, BIG: 'x'.repeat(200_000) },
          onOutput: () => {},
        });
        const exit = await proc.exited;
        assert.equal((await proc.started).pid, 0);
        assert.equal(exit.exitCode, null);
        assert.match(
          exit.error ?? '',
          /could not start the job \(E2BIG\): its command and environment are too large/,
        );
      });

      it(
        'does not hang when a process that escaped the group keeps the output open',
        WITHIN,
        async () => {
          // setsid puts the sleep in its own session, out of reach of the group kill; it inherits
          // stdout and holds it longer than the test may take: the run ends after its 300 ms drain.
          const { proc, output } = run(
            `setsid sh -c 'echo $$; exec sleep ${LONGER_THAN_THE_TEST / 1000}' & sleep 0.2; echo done`,
            300,
          );
          const exit = await proc.exited;
          const escaped = Number(output().split('\n')[0]);
          try {
            assert.equal(exit.exitCode, 0);
            assert.match(output(), /done\n$/);
          } finally {
            if (escaped > 0) process.kill(escaped, 'SIGKILL');
          }
        },
      );
    });
  }

  describe('killGroup and groupAlive', () => {
    it('kill a group and see it gone, ignoring zombies', async () => {
      const { proc } = run('sleep 300 & sleep 300 & wait');
      const { pid } = await proc.started;
      await waitFor(() => liveMembers(pid).length >= 3, 2000);
      assert.equal(groupAlive(pid), true);
      assert.equal(killGroup(pid, 'SIGKILL'), true);
      await proc.exited;
      assert.ok(await waitFor(() => !groupAlive(pid), 1000));
    });

    it('answer false for groups that do not exist and for unsafe ids', () => {
      assert.equal(killGroup(2 ** 22 + 12345, 'SIGTERM'), false);
      assert.equal(groupAlive(2 ** 22 + 12345), false);
      assert.equal(killGroup(0, 'SIGTERM'), false);
      assert.equal(killGroup(-5, 'SIGTERM'), false);
      assert.equal(groupAlive(0), false);
    });
  });

  describe('spawnRun with a control channel', () => {
    it('asks the process to stop over the channel, read however late, and reads its last word before the exit', async () => {
      // Stands for the pipeline engine: busy starting for a while (a signal sent now would find no
      // handler; SIGUSR1's default would end the shell), then it reads the stop, answers, exits 3.
      const engine = [
        "const net = require('node:net');",
        'const out = new net.Socket({ fd: 3, readable: false, writable: true });',
        'const s = new net.Socket({ fd: 4, readable: true, writable: false });',
        "s.setEncoding('utf8');",
        "s.once('data', (line) => out.end(JSON.stringify({ type: 'result', got: JSON.parse(line) }) + '\\n', () => process.exit(3)));",
      ].join(' ');
      const messages: unknown[] = [];
      const proc = spawnWith(
        {
          cmd: `sleep 0.3; exec ${process.execPath} -e "${engine}"`,
          cwd,
          env,
          onOutput: () => {},
          onControl: (m) => messages.push(m),
        },
        launchDirect,
      );
      await proc.started;
      await proc.stop('SIGUSR1', 10_000);
      const exit = await proc.exited;
      assert.equal(exit.exitCode, 3);
      assert.deepEqual(messages, [{ type: 'result', got: { type: 'stop', signal: 'SIGUSR1' } }]);
    });

    it('reads the last word of a process that exits while the agent writes to it', async () => {
      // The agent busy and sending (fence renewals) as the engine writes its result and exits: a
      // write that finds the process gone fails. On one shared socket that failure dropped the
      // result before it was read, in most of these runs.
      const engine = [
        "const out = new (require('node:net').Socket)({ fd: 3, readable: false, writable: true });",
        "out.end(JSON.stringify({ type: 'result' }) + '\\n', () => process.exit(0));",
      ].join(' ');
      const busy = setInterval(() => {
        const until = Date.now() + 40;
        while (Date.now() < until);
      }, 45);
      try {
        for (let i = 0; i < 20; i++) {
          const messages: unknown[] = [];
          const proc = spawnWith(
            {
              cmd: `exec ${process.execPath} -e "${engine}"`,
              cwd,
              env,
              onOutput: () => {},
              onControl: (m) => messages.push(m),
            },
            launchDirect,
          );
          const sending = setInterval(() => proc.send({ type: 'fence', ms: 60_000 }), 1);
          await proc.exited;
          clearInterval(sending);
          assert.deepEqual(messages, [{ type: 'result' }], `run ${i}`);
        }
      } finally {
        clearInterval(busy);
      }
    });
  });
});
