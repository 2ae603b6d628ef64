// `bosun exec` and `bosun console` as a user meets them: child processes against a real agent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { BOSUN, runBosun, startAgent, type RunningAgent } from './support/agent.ts';

describe('bosun exec and bosun console', () => {
  let agent: RunningAgent;
  const bosun = (args: string[], input?: string) =>
    runBosun([...args, '--url', agent.url], input === undefined ? {} : { input });

  before(async () => {
    agent = await startAgent();
  });
  after(async () => {
    await agent?.stop();
  });

  it('runs one command and prints its results as text', async () => {
    const r = await bosun(['exec', 'version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\S*\n$/);
    const piped = await bosun(['exec', 'echo "one\ntwo\nthree" | grep t']);
    assert.equal(piped.stdout, 'two\nthree\n');
  });

  it('exits 1 and says what to type for an unknown command or bad arguments', async () => {
    const r = await bosun(['exec', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope: command not found/);
    const bad = await bosun(['exec', 'top -n many']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /-n/);
  });

  it('streams a long command and stops it on Ctrl-C (SIGINT) with exit code 0', async () => {
    const child = spawn(BOSUN, ['exec', 'dashboard -i 200', '--url', agent.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const frames = new Promise<void>((resolve) =>
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if ((stdout.match(/bosun dashboard/g) ?? []).length >= 2) resolve();
      }),
    );
    await frames;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(stdout, /agent +pid \d+/);
  });

  it('says an unknown command once in an interactive console', async () => {
    const r = await bosun(['console'], 'nope\nversion\nexit\n');
    assert.equal(r.code, 0, r.stderr);
    const said = `${r.stdout}${r.stderr}`.match(/nope: command not found/g) ?? [];
    assert.equal(said.length, 1, `${r.stdout}\n---\n${r.stderr}`);
    assert.match(r.stdout, /\n0\.\d+\.\d+/, 'the next command still runs');
  });

  it('runs piped lines one after another in an interactive console', async () => {
    const r = await bosun(['console'], 'version\necho hello there\nhistory\nexit\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Welcome to bosun!/);
    const version = r.stdout.indexOf('\n0.');
    const hello = r.stdout.indexOf('hello there');
    assert.ok(version > 0 && hello > version, r.stdout);
    assert.match(r.stdout.slice(hello), /1 +version\n.*2 +echo hello there/s);
  });

  it('joins a session opened elsewhere and sees what ran in it', async () => {
    const call = async (body: unknown) =>
      (await (
        await fetch(`${agent.url}/api`, { method: 'POST', body: JSON.stringify(body) })
      ).json()) as Record<string, any>;
    const { sessionId } = await call({ action: 'init_session' });
    await call({ action: 'async_exec', sessionId, command: 'echo shared-marker' });
    const r = await bosun(['console', '--session', sessionId], 'exit\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /shared-marker/);
    // Leaving a joined session leaves it open for its owner.
    assert.equal((await call({ action: 'session_info', sessionId })).state, 'SUCCEEDED');
    await call({ action: 'close_session', sessionId });
  });

  it('documents both commands in --help', async () => {
    const r = await runBosun(['exec', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /bosun exec "sysenv \| grep PATH"/);
    const c = await runBosun(['console', '--help']);
    assert.match(c.stdout, /--session <id>/);
  });
});
