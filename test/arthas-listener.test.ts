// The Arthas-compatible listener (--arthas-port) against the real agent: POST /api there and on the
// main port over the same sessions, the same token and cross-site rules on both ports, Arthas's
// terminal on /ws (and vminfo's stream still on the main port's /ws), /arthas-output/ serving the
// dump dir and nothing outside it, --arthas-ui serving a built console, and shutdown closing the
// terminals.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { runBosun, startAgent, type RunningAgent } from './support/agent.ts';
import { SUITE_TIMEOUT_MS } from './support/timeouts.ts';

type Json = Record<string, any>;

/** The listener's URL, from the agent's "bosun listening" log line. */
function arthasUrlOf(agent: RunningAgent): string {
  for (const line of agent.stdout().split('\n')) {
    if (!line.includes('bosun listening')) continue;
    const url = (JSON.parse(line) as { arthasUrl?: string }).arthasUrl;
    assert.ok(url, `the listening line names no arthasUrl: ${line}`);
    return url;
  }
  assert.fail('no "bosun listening" line');
}

const api = async (base: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/api`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
};

const apiJson = async (base: string, body: unknown): Promise<Json> => {
  const res = await api(base, body);
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text) as Json;
};

/** A raw GET, the path sent as it is (fetch would resolve the dots). */
function rawGet(
  base: string,
  pathAsIs: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: pathAsIs, method: 'GET', headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A terminal client as Arthas's web console is: JSON frames out, text in. */
async function openTerminal(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{
  socket: WebSocket;
  screen: () => string;
  type: (data: string) => void;
  waitFor: (pattern: RegExp, what: string) => Promise<string>;
  closed: Promise<number>;
}> {
  const socket = new WebSocket(url, options);
  let text = '';
  socket.on('message', (data) => (text += data.toString()));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ action: 'resize', cols: 120, rows: 40 }));
  return {
    socket,
    screen: () => text,
    type: (data) => socket.send(JSON.stringify({ action: 'read', data })),
    async waitFor(pattern, what) {
      const deadline = Date.now() + 20_000;
      while (!pattern.test(text)) {
        if (Date.now() > deadline) {
          assert.fail(`${what}: never saw ${pattern} in ${JSON.stringify(text)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return text;
    },
    closed,
  };
}

/** The status of a refused WebSocket upgrade, and its body. */
function refusedUpgrade(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.on('open', () => {
      socket.close();
      reject(new Error(`${url} opened`));
    });
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.on('error', () => undefined);
  });
}

const PROMPT = /\[bosun@\d+\]\$ $/;

describe('the Arthas listener without a token', { timeout: SUITE_TIMEOUT_MS }, () => {
  let agent: RunningAgent;
  let arthas: string;
  before(async () => {
    agent = await startAgent({ args: ['--arthas-port', '0'] });
    arthas = arthasUrlOf(agent);
  });
  after(async () => {
    await agent?.stop();
  });

  it('listens on a port of its own, on the same bind address', () => {
    assert.notEqual(new URL(arthas).port, new URL(agent.url).port);
    assert.equal(new URL(arthas).hostname, new URL(agent.url).hostname);
  });

  it('answers POST /api with the main port’s handler, over the same sessions', async () => {
    const exec = await apiJson(arthas, { action: 'exec', command: 'version' });
    assert.equal(exec.state, 'SUCCEEDED');
    assert.ok(exec.body.results.some((r: Json) => r.type === 'version'));

    // A session made on one port is used on the other, both ways.
    const made = await apiJson(arthas, { action: 'init_session' });
    const onMain = await apiJson(agent.url, {
      action: 'exec',
      command: 'echo shared',
      sessionId: made.sessionId,
    });
    assert.equal(onMain.state, 'SUCCEEDED', JSON.stringify(onMain));
    assert.equal(onMain.sessionId, made.sessionId);
    const mainMade = await apiJson(agent.url, { action: 'init_session' });
    const info = await apiJson(arthas, { action: 'session_info', sessionId: mainMade.sessionId });
    assert.equal(info.state, 'SUCCEEDED');
    const history = await apiJson(arthas, {
      action: 'exec',
      command: 'history',
      sessionId: made.sessionId,
    });
    assert.match(JSON.stringify(history.body.results), /echo shared/);
    await apiJson(arthas, { action: 'close_session', sessionId: made.sessionId });
    await apiJson(agent.url, { action: 'close_session', sessionId: mainMade.sessionId });
  });

  it('answers a bad body and a wrong method in Arthas’s shape', async () => {
    const bad = await fetch(`${arthas}/api`, { method: 'POST', body: '{nope' });
    assert.equal(bad.status, 200);
    assert.equal(((await bad.json()) as Json).state, 'FAILED');
    const get = await fetch(`${arthas}/api`);
    assert.equal(((await get.json()) as Json).state, 'REFUSED');
  });

  it('is only Arthas’s paths: the main port’s API is not there, and a bad path is a 404', async () => {
    const native = await fetch(`${arthas}/api/v1/jobs`);
    assert.equal(native.status, 404);
    const root = await fetch(`${arthas}/`);
    assert.equal(root.status, 404, 'no console UI without --arthas-ui');
    assert.match(((await root.json()) as Json).error.message, /--arthas-ui/);
  });

  it('keeps vminfo’s snapshot stream on the main port’s /ws', async () => {
    const socket = new WebSocket(`${agent.url.replace('http', 'ws')}/ws`);
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(data.toString()));
      socket.once('error', reject);
    });
    socket.close();
    assert.ok('cpu' in (JSON.parse(first) as Json), 'a snapshot, not a terminal');
  });

  it('runs a terminal on /ws: banner, prompt, echo, a command and its output, Ctrl-D', async () => {
    const t = await openTerminal(`${arthas.replace('http', 'ws')}/ws`);
    await t.waitFor(/Welcome to bosun![\s\S]*\[bosun@\d+\]\$ $/, 'the banner and the prompt');
    t.type('vers');
    t.type('ion\r');
    const screen = await t.waitFor(/\$ version\r\n\d+\.\d+\.\d+\S*\r\n[\s\S]*\$ $/, 'the version');
    assert.match(screen, PROMPT);
    // Bad frames are ignored: not JSON, an unknown action, a read without data, a wild resize.
    t.socket.send('not json');
    t.socket.send(JSON.stringify({ action: 'nope' }));
    t.socket.send(JSON.stringify({ action: 'read', data: 42 }));
    t.socket.send(JSON.stringify({ action: 'resize', cols: -1, rows: 1e9 }));
    t.socket.send(JSON.stringify([1, 2, 3]));
    t.type('echo still here\r');
    await t.waitFor(/\r\nstill here\r\n/, 'a command after the bad frames');
    t.type('\x04');
    assert.equal(await t.closed, 1000, 'Ctrl-D on an empty line ends the terminal');
  });

  it('with ?quiet=true shows no banner, and ?sessionId= joins a session made over POST /api', async () => {
    const made = await apiJson(agent.url, { action: 'init_session' });
    const t = await openTerminal(
      `${arthas.replace('http', 'ws')}/ws?quiet=true&sessionId=${made.sessionId}`,
    );
    await t.waitFor(PROMPT, 'the prompt');
    assert.doesNotMatch(t.screen(), /Welcome/);
    t.type('echo from-the-terminal\r');
    await t.waitFor(/\r\nfrom-the-terminal\r\n/, 'the output in the terminal');
    // The session's other consumer, on the main port, sees the same job's output.
    let seen = '';
    for (let i = 0; i < 20 && !seen.includes('from-the-terminal'); i++) {
      const pulled = await apiJson(agent.url, {
        action: 'pull_results',
        sessionId: made.sessionId,
        consumerId: made.consumerId,
      });
      seen += JSON.stringify(pulled.body.results);
    }
    assert.match(seen, /from-the-terminal/);
    t.socket.close();
    await t.closed;
    // The terminal joined the session: closing it leaves the session to its maker.
    const info = await apiJson(agent.url, { action: 'session_info', sessionId: made.sessionId });
    assert.equal(info.state, 'SUCCEEDED');

    const twice = await refusedUpgrade(
      `${arthas.replace('http', 'ws')}/ws?quiet=true&quiet=false&sessionId=${made.sessionId}&sessionId=x`,
    );
    assert.equal(twice.status, 404, 'a parameter given twice is not an id');
    const unknown = await refusedUpgrade(`${arthas.replace('http', 'ws')}/ws?sessionId=nope`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /session not found/);
  });

  it('serves a heap dump under /arthas-output/ and lists the dump dir', async () => {
    const dump = await apiJson(arthas, {
      action: 'exec',
      command: 'heapdump',
      execTimeout: 120_000,
    });
    const item = dump.body.results.find((r: Json) => r.type === 'heapdump');
    assert.ok(item, JSON.stringify(dump).slice(0, 500));
    const name = path.basename(item.dumpFile as string);
    const listing = await fetch(`${arthas}/arthas-output/`);
    assert.equal(listing.status, 200);
    assert.match(await listing.text(), new RegExp(`href="${name.replace(/[.]/g, '\\.')}"`));
    const file = await fetch(`${arthas}/arthas-output/${encodeURIComponent(name)}`);
    assert.equal(file.status, 200);
    const body = Buffer.from(await file.arrayBuffer());
    assert.equal(body.length, statSync(item.dumpFile as string).size);
    assert.ok(JSON.parse(body.toString('utf8')).snapshot, 'a V8 heap snapshot');
    const redirect = await fetch(`${arthas}/arthas-output`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/arthas-output/');
  });

  it('serves nothing outside the dump dir', async () => {
    const dumps = path.join(agent.dataDir, 'dumps');
    mkdirSync(dumps, { recursive: true });
    symlinkSync(path.join(agent.dataDir, 'node-id'), path.join(dumps, 'escape'));
    for (const attempt of [
      '/arthas-output/../node-id',
      '/arthas-output/%2e%2e/node-id',
      '/arthas-output/..%2fnode-id',
      '/arthas-output/%2e%2e%2fnode-id',
      '/arthas-output/./../../etc/passwd',
      '/arthas-output/..\\node-id',
    ]) {
      const res = await rawGet(arthas, attempt);
      assert.ok(res.status === 400 || res.status === 404, `${attempt}: ${res.status} ${res.body}`);
      assert.match(res.body, /"error"/, `${attempt}: an error in bosun's shape`);
    }
    const link = await rawGet(arthas, '/arthas-output/escape');
    assert.equal(link.status, 404, 'a link out of the dump dir is not followed');
    const missing = await rawGet(arthas, '/arthas-output/none.heapsnapshot');
    assert.equal(missing.status, 404);
  });

  it('closes its terminals on shutdown, and the agent exits cleanly', async () => {
    const own = await startAgent({ args: ['--arthas-port', '0'] });
    const t = await openTerminal(`${arthasUrlOf(own).replace('http', 'ws')}/ws`);
    await t.waitFor(PROMPT, 'the prompt');
    t.type('dashboard -i 200\r');
    await t.waitFor(/bosun dashboard/, 'a running command');
    assert.equal(await own.stop(), 0);
    const code = await t.closed;
    assert.ok(code === 1000 || code === 1001, `closed with ${code}`);
    assert.match(t.screen(), /shut down|session ended/);
  });
});

describe('the Arthas listener with a token', { timeout: SUITE_TIMEOUT_MS }, () => {
  const TOKEN = 's3cret-token-for-tests';
  let agent: RunningAgent;
  let arthas: string;
  before(async () => {
    agent = await startAgent({ args: ['--arthas-port', '0'], env: { BOSUN_TOKEN: TOKEN } });
    arthas = arthasUrlOf(agent);
  });
  after(async () => {
    await agent?.stop();
  });

  it('refuses POST /api without the token, as Arthas does, and takes it as Basic or Bearer', async () => {
    const none = await api(arthas, { action: 'exec', command: 'version' });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic/);
    const wrong = await api(
      arthas,
      { action: 'exec', command: 'version' },
      {
        authorization: `Basic ${Buffer.from('arthas:wrong').toString('base64')}`,
      },
    );
    assert.equal(wrong.status, 401);
    const basic = await api(
      arthas,
      { action: 'exec', command: 'version' },
      {
        authorization: `Basic ${Buffer.from(`arthas:${TOKEN}`).toString('base64')}`,
      },
    );
    assert.equal(basic.status, 200);
    const bearer = await api(
      arthas,
      { action: 'exec', command: 'version' },
      {
        authorization: `Bearer ${TOKEN}`,
      },
    );
    assert.equal(bearer.status, 200);
  });

  it('refuses the terminal without the token, and opens it with Arthas’s ?password=', async () => {
    const ws = `${arthas.replace('http', 'ws')}/ws`;
    const refused = await refusedUpgrade(ws);
    assert.equal(refused.status, 401);
    assert.match(refused.body, /UNAUTHORIZED/);
    const t = await openTerminal(`${ws}?username=arthas&password=${TOKEN}`);
    await t.waitFor(PROMPT, 'the prompt');
    t.socket.close();
    const output = await rawGet(arthas, '/arthas-output/');
    assert.equal(output.status, 401);
  });

  it('refuses a foreign Origin and a rebinding Host, as the main port does', async () => {
    const ws = `${arthas.replace('http', 'ws')}/ws?password=${TOKEN}`;
    const foreign = await refusedUpgrade(ws, { origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /cross-site/);
    const rebinding = await rawGet(arthas, '/arthas-output/', {
      host: 'evil.example',
      authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(rebinding.status, 403);
    const sameOrigin = await openTerminal(ws, { origin: arthas });
    await sameOrigin.waitFor(PROMPT, 'the prompt of a same-origin page');
    sameOrigin.socket.close();
  });

  it('shares one failure throttle with the main port', async () => {
    // Failures on the main port until it throttles; then the listener throttles as well.
    let status = 401;
    for (let i = 0; i < 12 && status === 401; i++) {
      const res = await fetch(`${agent.url}/api/v1/jobs`, {
        headers: { authorization: 'Bearer nope' },
      });
      status = res.status;
    }
    assert.equal(status, 429, 'the main port throttles');
    const throttled = await api(
      arthas,
      { action: 'exec', command: 'version' },
      { authorization: 'Bearer nope' },
    );
    assert.equal(throttled.status, 200, 'Arthas shape: the refusal is an answer');
    assert.match(throttled.text, /too many failed logins/);
    const valid = await api(
      arthas,
      { action: 'exec', command: 'version' },
      { authorization: `Bearer ${TOKEN}` },
    );
    assert.equal(valid.status, 200, 'a valid token always passes');
    assert.match(valid.text, /SUCCEEDED/);
  });
});

describe('the Arthas listener with --arthas-ui', { timeout: SUITE_TIMEOUT_MS }, () => {
  let agent: RunningAgent;
  let arthas: string;
  let ui: string;
  before(async () => {
    ui = mkdtempSync(path.join(os.tmpdir(), 'bosun-arthas-ui-'));
    mkdirSync(path.join(ui, 'ui'));
    mkdirSync(path.join(ui, 'static', 'js'), { recursive: true });
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>terminal page</title>');
    writeFileSync(path.join(ui, 'ui', 'index.html'), '<!doctype html><title>web console</title>');
    writeFileSync(path.join(ui, 'static', 'js', 'main-1a2b.js'), 'console.log("ui")');
    agent = await startAgent({ args: ['--arthas-port', '0', '--arthas-ui', ui] });
    arthas = arthasUrlOf(agent);
  });
  after(async () => {
    await agent?.stop();
    rmSync(ui, { recursive: true, force: true });
  });

  it('serves the console’s files at / and its subdirectories’ index pages', async () => {
    const root = await fetch(`${arthas}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await root.text(), /terminal page/);
    const redirect = await fetch(`${arthas}/ui?x=1`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/ui/?x=1');
    assert.match(await (await fetch(`${arthas}/ui/`)).text(), /web console/);
    const js = await fetch(`${arthas}/static/js/main-1a2b.js`);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(await js.text(), 'console.log("ui")');
    // Arthas's paths still win over the console's files.
    const exec = await apiJson(arthas, { action: 'exec', command: 'version' });
    assert.equal(exec.state, 'SUCCEEDED');
  });

  it('serves nothing outside the console’s directory', async () => {
    for (const attempt of [
      '/../index.html',
      '/%2e%2e/index.html',
      '/static/..%2f..%2fetc/passwd',
    ]) {
      const res = await rawGet(arthas, attempt);
      assert.ok(res.status === 400 || res.status === 404, `${attempt}: ${res.status}`);
    }
    assert.equal((await fetch(`${arthas}/nope.js`)).status, 404);
    assert.equal((await fetch(`${arthas}/static/`)).status, 404, 'no listing of the console');
  });

  it('refuses to start on a directory that is not a built console', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'bosun-arthas-ui-empty-'));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-test-'));
    try {
      const run = await runBosun([
        'serve',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--arthas-port',
        '0',
        '--arthas-ui',
        empty,
      ]);
      assert.notEqual(run.code, 0);
      assert.match(run.stdout + run.stderr, /--arthas-ui: .* has no index\.html/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
