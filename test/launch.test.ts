// The agent's runtime tuning (runtime-tuning.ts) whichever way it is started: `node src/main.ts serve`
// as a unit file or a container would, and bin/bosun. Its runs inherit none of it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiClient, waitRunEnd } from './support/api.ts';
import { ROOT, startAgent } from './support/agent.ts';

const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

/** The NUL-separated strings of /proc/<pid>/<file>. */
const procList = (pid: number, file: string): string[] =>
  readFileSync(`/proc/${pid}/${file}`, 'latin1').split('\0').filter(Boolean);

/** `node src/main.ts serve` with `env` alone (no BOSUN_* of the test's own), once it listens. */
async function startWithNode(env: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-launch-'));
  const child = spawn(
    NODE,
    ['src/main.ts', 'serve', '--port', '0', '--data-dir', dataDir, '--log-format', 'json'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start:\n${out}\n${err}`)), 20_000);
    child.stdout.on('data', () => {
      const line = out.split('\n').find((l) => l.includes('bosun listening'));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(() => reject(new Error(`exited before listening:\n${out}\n${err}`)));
  });
  return {
    url,
    pid: child.pid as number,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe('an agent started as node src/main.ts serve', () => {
  let agent: Awaited<ReturnType<typeof startWithNode>>;
  before(async () => {
    agent = await startWithNode({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: os.tmpdir(),
      LAUNCH_TEST_CALLER: 'kept',
      NODE_OPTIONS: '--no-deprecation',
    });
  });
  after(() => agent?.stop());

  it('re-executed itself in place with the tuning', () => {
    // Same pid: a supervisor that started node still holds the agent.
    const argv = procList(agent.pid, 'cmdline');
    assert.equal(argv[1], '--max-semi-space-size=16', argv.join(' '));
    const environ = procList(agent.pid, 'environ');
    assert.ok(environ.includes('MALLOC_ARENA_MAX=1'), environ.join('\n'));
    assert.ok(environ.includes('BOSUN_LAUNCHER_ENV=NODE_COMPILE_CACHE MALLOC_ARENA_MAX'));
    assert.ok(
      environ.includes(`NODE_COMPILE_CACHE=${ROOT}node_modules/.cache/bosun`),
      environ.join('\n'),
    );
  });

  it("gives its runs the caller's environment without the agent's tuning", async () => {
    const api = apiClient(agent.url);
    const job = await api('POST', '/api/v1/jobs', {
      name: 'print-env',
      cmd: 'env; echo "NODE_OPTIONS=[$NODE_OPTIONS]"',
    });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    const run = await api('POST', `/api/v1/jobs/${job.body.id}/run`);
    assert.equal(run.status, 202, JSON.stringify(run.body));
    assert.equal((await waitRunEnd(api, run.body.id)).state, 'succeeded');
    const log = (await api('GET', `/api/v1/runs/${run.body.id}/log`)).body as string;
    const lines = log.split('\n');
    assert.ok(lines.includes('LAUNCH_TEST_CALLER=kept'), log);
    assert.ok(lines.includes('NODE_OPTIONS=[]'), log);
    for (const name of ['MALLOC_ARENA_MAX', 'BOSUN_LAUNCHER_ENV', 'NODE_COMPILE_CACHE']) {
      assert.ok(!lines.some((l) => l.startsWith(`${name}=`)), `${name} leaked into a run:\n${log}`);
    }
  });
});

describe('an agent started by bin/bosun', () => {
  it('has the same tuning', async () => {
    const agent = await startAgent();
    try {
      const pid = agent.child.pid as number;
      assert.ok(procList(pid, 'cmdline').includes('--max-semi-space-size=16'));
      assert.ok(procList(pid, 'environ').includes('MALLOC_ARENA_MAX=1'));
    } finally {
      await agent.stop();
    }
  });
});
