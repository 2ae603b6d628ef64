// help, version, session, history, echo, jobs, kill, fg, bg, sysenv and config against real deps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandSpec } from '../command.ts';
import { CommandFailure, STATUS } from '../model.ts';
import { createCommandRegistry } from './index.ts';
import {
  createTestDeps,
  fakeSession,
  runCommand,
  type TestDeps,
} from '../../../test/support/console-commands.ts';

let t: TestDeps;
describe('basic', () => {
  before(async () => {
    t = await createTestDeps();
  });
  after(() => t.close());

  const registry = createCommandRegistry();
  function command(name: string): CommandSpec {
    const c = registry.get(name);
    assert.ok(c !== undefined && c.kind === 'command', `${name} is a command`);
    return c;
  }

  async function failure(p: Promise<unknown>): Promise<CommandFailure> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof CommandFailure, String(err));
      return err;
    }
    assert.fail('expected a CommandFailure');
  }

  describe('the registry', () => {
    it('holds every command once, under its own name, with a summary and usage', () => {
      for (const [name, c] of registry) {
        assert.equal(c.name, name);
        assert.ok(c.summary.length > 0, name);
        assert.ok(c.usage.startsWith(c.kind === 'stage' ? `cmd | ${name}` : name), name);
      }
      for (const name of ['help', 'dashboard', 'profiler', 'watch', 'grep', 'wc', 'schedule']) {
        assert.ok(registry.has(name), name);
      }
    });

    it('makes a new profiler per registry', () => {
      assert.notEqual(createCommandRegistry().get('profiler'), registry.get('profiler'));
    });
  });

  describe('help', () => {
    it('lists every command of its registry, sorted', async () => {
      const [item] = await runCommand(command('help'), [], t.deps);
      const names = (item?.commands as Array<{ name: string }>).map((c) => c.name);
      assert.deepEqual(names, [...registry.keys()].sort());
    });

    it("shows one command's help text", async () => {
      const [item] = await runCommand(command('help'), ['dashboard'], t.deps);
      assert.match(String(item?.text), /^USAGE: dashboard \[-i <ms>\] \[-n <count>\]/);
    });

    it('says how to list the commands when the name is unknown', async () => {
      const err = await failure(runCommand(command('help'), ['nope'], t.deps));
      assert.equal(err.message, "help: no command 'nope'; type 'help' for the list");
    });
  });

  describe('version, session, history, echo', () => {
    it('reports the version', async () => {
      assert.deepEqual(await runCommand(command('version'), [], t.deps), [
        { type: 'version', version: '0.0.0-test', jobId: 1 },
      ]);
    });

    it('reports the session', async () => {
      const [item] = await runCommand(command('session'), [], t.deps);
      assert.equal(item?.sessionId, 'session-1');
      assert.equal(item?.pid, process.pid);
      assert.deepEqual(item?.consumers, [{ id: 'consumer-1', lastAccessTime: 1_700_000_060_000 }]);
    });

    it('numbers the history and keeps the last n', async () => {
      const session = fakeSession({ history: ['version', 'memory', 'dashboard'] });
      const [item] = await runCommand(command('history'), ['2'], t.deps, { session });
      assert.deepEqual(item?.history, ['memory', 'dashboard']);
      assert.equal(item?.first, 2);
      const err = await failure(runCommand(command('history'), ['x'], t.deps, { session }));
      assert.equal(err.statusCode, STATUS.BAD_ARGS);
    });

    it('echoes its arguments joined by spaces', async () => {
      const [item] = await runCommand(command('echo'), ['hello', 'world'], t.deps);
      assert.equal(item?.content, 'hello world');
    });
  });

  describe('jobs, kill, fg, bg', () => {
    const jobs = [
      { id: 1, command: 'jobs', status: 'RUNNING' as const, background: false, startedAt: 1 },
      { id: 2, command: 'dashboard', status: 'RUNNING' as const, background: true, startedAt: 2 },
      { id: 3, command: 'monitor', status: 'RUNNING' as const, background: true, startedAt: 3 },
    ];

    it("lists the session's jobs other than itself", async () => {
      const [item] = await runCommand(command('jobs'), [], t.deps, {
        session: fakeSession({ jobs }),
      });
      assert.deepEqual(
        (item?.jobs as typeof jobs).map((j) => j.id),
        [2, 3],
      );
    });

    it('kills a job by id (also %id) and fails naming jobs for an unknown one', async () => {
      const session = fakeSession({ jobs });
      await runCommand(command('kill'), ['%2'], t.deps, { session });
      assert.deepEqual(session.killed, [2]);
      const err = await failure(runCommand(command('kill'), ['9'], t.deps, { session }));
      assert.equal(err.message, "kill: no job 9; list jobs with 'jobs'");
      assert.equal(err.statusCode, STATUS.FAILED);
    });

    it('fg picks the newest background job; bg passes on the session’s refusal', async () => {
      const session = fakeSession({ jobs });
      await runCommand(command('fg'), [], t.deps, { session });
      assert.deepEqual(session.moved, [{ to: 'fg', jobId: 3 }]);
      const refusing = fakeSession({ jobs, refuse: 'job 2 is already in the background' });
      const err = await failure(runCommand(command('bg'), ['2'], t.deps, { session: refusing }));
      assert.equal(err.message, 'bg: job 2 is already in the background');
    });
  });

  describe('sysenv and config', () => {
    it('masks the values of secret-looking names', async () => {
      const [item] = await runCommand(command('sysenv'), [], t.deps);
      assert.deepEqual(item?.env, { API_TOKEN: '***', HOME: '/root', PATH: '/usr/bin' });
    });

    it('shows one variable, or says how to list them', async () => {
      const [item] = await runCommand(command('sysenv'), ['PATH'], t.deps);
      assert.deepEqual(item?.env, { PATH: '/usr/bin' });
      const err = await failure(runCommand(command('sysenv'), ['NOPE'], t.deps));
      assert.equal(err.message, "sysenv: no variable 'NOPE'; type 'sysenv' to list them");
    });

    it('shows the configuration with the token masked', async () => {
      const [item] = await runCommand(command('config'), [], t.deps);
      const config = item?.config as Record<string, unknown>;
      assert.equal(config.token, '***');
      assert.equal(config.dataDir, t.dataDir);
      assert.ok(!JSON.stringify(config).includes('test-token-value'));
      const [one] = await runCommand(command('config'), ['dataDir'], t.deps);
      assert.deepEqual(one?.config, { dataDir: t.dataDir });
      const err = await failure(runCommand(command('config'), ['nope'], t.deps));
      assert.equal(err.message, "config: no setting 'nope'; type 'config' to list them");
    });
  });
});
