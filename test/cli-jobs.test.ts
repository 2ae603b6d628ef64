// The jobs client as a user meets it: `bin/bosun jobs|runs|logs` run as child processes against a real
// agent (bosun serve) over the native API of docs/api.md.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.ts';
import { runBosun, startAgent, type RunningAgent } from './support/agent.ts';

const JOB_YAML = `# a job that prints a line and fails with exit code 3
name: cli-hello
cmd: 'echo "hello from bosun"; echo "second line"; exit 3'
schedules:
  - kind: every
    everySec: 3600
`;

describe('bosun jobs, runs and logs against a running agent', () => {
  let agent: RunningAgent;
  let dir: string;
  const bosun = (args: string[], env: Record<string, string> = {}) =>
    runBosun([...args, '--url', agent.url], { env });

  before(async () => {
    agent = await startAgent();
    dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cli-jobs-'));
  });
  after(async () => {
    await agent?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a job from a YAML file and lists it', async () => {
    const file = path.join(dir, 'job.yaml');
    writeFileSync(file, JOB_YAML);
    const add = await bosun(['jobs', 'add', '-f', file]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^created job cli-hello \(id \d+\): next run in \d+[mh]/);

    const ls = await bosun(['jobs', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    const [header, ...rows] = ls.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID +NAME +SCHEDULE +NEXT RUN +LAST +ENABLED$/);
    assert.equal(rows.length, 1, ls.stdout);
    assert.match(rows[0]!, /^\d+ +cli-hello +\S.* +in \d+[mh] +- +yes$/);
    assert.ok(!ls.stdout.includes('\x1b'), 'no colours when stdout is a pipe');

    const json = await bosun(['jobs', 'ls', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      jobs: Array<{ name: string; schedules: unknown[] }>;
    };
    assert.deepEqual(
      parsed.jobs.map((j) => [j.name, j.schedules.length]),
      [['cli-hello', 1]],
    );
  });

  it("runs it with --follow, printing its output and exiting with the job's exit code", async () => {
    const r = await bosun(['jobs', 'run', 'cli-hello', '--follow']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'hello from bosun\nsecond line\n');
    assert.match(r.stderr, /run \d+ failed \(exit code 3/);
  });

  it('lists the run, shows it and prints its log', async () => {
    const ls = await bosun(['runs', 'ls', '--job', 'cli-hello']);
    assert.equal(ls.code, 0, ls.stderr);
    const [header, ...rows] = ls.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID +JOB +STATE +TRIGGER +ATTEMPT +STARTED +DURATION +EXIT$/);
    assert.equal(rows.length, 1, ls.stdout);
    assert.match(rows[0]!, /^\d+ +cli-hello +failed +manual +1 +(now|\d+s ago) +\S+ +3$/);

    const json = JSON.parse((await bosun(['runs', 'ls', '--json'])).stdout) as {
      runs: Array<{ id: string; exitCode: number; state: string }>;
    };
    const runId = json.runs[0]!.id;
    assert.equal(json.runs[0]!.exitCode, 3);

    const show = await bosun(['runs', 'show', runId]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^state: +failed$/m);
    assert.match(show.stdout, /^exit code: +3$/m);

    const logs = await bosun(['logs', runId]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'hello from bosun\nsecond line\n');
    const tail = await bosun(['logs', runId, '--tail', '1']);
    assert.equal(tail.stdout, 'second line\n');

    const job = await bosun(['jobs', 'show', 'cli-hello']);
    assert.equal(job.code, 0, job.stderr);
    assert.match(job.stdout, /^name: +cli-hello$/m);
    assert.match(job.stdout, /^last run: +failed /m);
    assert.match(job.stdout, new RegExp(`^  ${runId} +cli-hello +failed`, 'm'));
  });

  it('disables and enables the job', async () => {
    const enabled = async () =>
      (
        JSON.parse((await bosun(['jobs', 'show', 'cli-hello', '--json'])).stdout) as {
          enabled: boolean;
        }
      ).enabled;
    const off = await bosun(['jobs', 'disable', 'cli-hello']);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /^disabled job cli-hello/);
    assert.equal(await enabled(), false);
    const on = await bosun(['jobs', 'enable', 'cli-hello']);
    assert.equal(on.code, 0, on.stderr);
    assert.equal(await enabled(), true);
  });

  it('lists the next fire times', async () => {
    const r = await bosun(['jobs', 'next', 'cli-hello', '-n', '3']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^LOCAL TIME +UTC +IN$/);
    assert.equal(lines.length, 4, r.stdout);
  });

  it('replaces a job by name with add --update', async () => {
    const file = path.join(dir, 'job-ok.yaml');
    writeFileSync(file, JOB_YAML.replace('exit 3', 'exit 0'));
    const r = await bosun(['jobs', 'add', '-f', file, '--update']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^updated job cli-hello/);
    const follow = await bosun(['jobs', 'run', 'cli-hello', '-f']);
    assert.equal(follow.code, 0, follow.stderr);
  });

  it('creates a job with add --update, then stops every run of it with bosun stop', async () => {
    const file = path.join(dir, 'job-stop.yaml');
    writeFileSync(file, 'name: cli-stop\ncmd: sleep 600\noverlap: allow\ngraceSec: 1\n');
    const add = await bosun(['jobs', 'add', '-f', file, '--update']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^created job cli-stop/);
    const runs = [
      (await bosun(['jobs', 'run', 'cli-stop'])).stdout.trim(),
      (await bosun(['jobs', 'run', 'cli-stop'])).stdout.trim(),
    ];
    const stop = await bosun(['stop', 'cli-stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /^stopping runs \d+, \d+\n$/);
    assert.deepEqual(stop.stdout.match(/\d+/g)?.sort(), [...runs].sort());
    const nothing = await bosun(['stop', 'cli-stop']);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /job cli-stop has no running run/);
  });

  it('removes the job', async () => {
    const r = await bosun(['jobs', 'rm', 'cli-hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deleted job cli-hello/);
    assert.equal((await bosun(['jobs', 'show', 'cli-hello'])).code, EXIT.NOT_FOUND);
  });

  it('names the file when the YAML is bad', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'name: broken\ncmd: [echo, unclosed\n');
    const r = await bosun(['jobs', 'add', '-f', file]);
    assert.equal(r.code, EXIT.INVALID);
    assert.match(
      r.stderr,
      new RegExp(
        `^bosun: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML or JSON: .*line \\d+`,
      ),
    );
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it("answers an unknown job id with the API's message and the not-found exit code", async () => {
    const api = (await (await fetch(`${agent.url}/api/v1/jobs/999999999`)).json()) as {
      error: { message: string };
    };
    const r = await bosun(['jobs', 'show', '999999999']);
    assert.equal(r.code, EXIT.NOT_FOUND);
    assert.equal(r.stderr, `bosun: ${api.error.message}\n`);
    assert.equal(r.stdout, '');
  });
});

describe('bosun jobs without a reachable or open agent', () => {
  it('says how to point it at an agent when nothing listens', async () => {
    const port = await freePort();
    const r = await runBosun(['jobs', 'ls', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, EXIT.UNAVAILABLE);
    assert.equal(
      r.stderr,
      `bosun: cannot reach the agent at http://127.0.0.1:${port}: is \`bosun serve\` running? (set --url or BOSUN_URL)\n`,
    );
  });

  it('reads BOSUN_URL and BOSUN_TOKEN, and says to set the token when it is missing', async () => {
    const token = 'cli-test-token-123';
    const agent = await startAgent({ args: ['--token', token] });
    try {
      const without = await runBosun(['jobs', 'ls'], { env: { BOSUN_URL: agent.url } });
      assert.equal(without.code, EXIT.DENIED);
      assert.match(without.stderr, /needs a token: set BOSUN_TOKEN/);
      const withToken = await runBosun(['jobs', 'ls'], {
        env: { BOSUN_URL: agent.url, BOSUN_TOKEN: token },
      });
      assert.equal(withToken.code, 0, withToken.stderr);
    } finally {
      await agent.stop();
    }
  });
});

/** A port nothing listens on: bound once by the OS, then released. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
