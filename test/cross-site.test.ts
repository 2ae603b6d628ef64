// The cross-site rules (docs/security.md) as a browser meets them: a page on another origin tries to
// drive the agent with every request a page can send without a CORS preflight, and a rebinding DNS
// name tries to read it. The same requests from the agent's own origin must keep working, so the
// test would fail if the agent simply refused everything.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startAgent, type RunningAgent } from './support/agent.ts';
import { launchBrowser, skipBrowser } from './support/browser.ts';

/** Names the browser resolves to 127.0.0.1: a foreign site, and a name rebound to loopback. */
const EVIL = 'evil.test';
const REBOUND = 'rebind.test';

let browser: Browser;
let agent: RunningAgent;
let evil: Server;
let evilOrigin: string;
let agentPort: string;
let outDir: string;

before(async () => {
  if (skipBrowser) return;
  outDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-cross-site-'));
  agent = await startAgent();
  agentPort = new URL(agent.url).port;
  // The foreign site: one empty page to run scripts from.
  evil = createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>evil</title>');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilOrigin = `http://${EVIL}:${(evil.address() as AddressInfo).port}`;
  browser = await launchBrowser([
    `--host-resolver-rules=MAP ${EVIL} 127.0.0.1, MAP ${REBOUND} 127.0.0.1`,
  ]);
});
after(async () => {
  await browser?.close();
  evil?.close();
  await agent?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** A pipeline whose sink writes a file: what a foreign page would like to run as root. */
const pipeline = (file: string) =>
  JSON.stringify({
    env: { 'job.mode': 'BATCH' },
    source: [
      {
        plugin_name: 'FakeSource',
        plugin_output: 'f',
        'row.num': 1,
        schema: { fields: { a: 'string' } },
      },
    ],
    sink: [
      {
        plugin_name: 'LocalFile',
        plugin_input: 'f',
        path: path.dirname(file),
        file_format_type: 'json',
      },
    ],
  });

const sessions = async (): Promise<number> =>
  ((await (await fetch(`${agent.url}/api/v1/sessions`)).json()) as { sessions: unknown[] }).sessions
    .length;
const jobCount = async (): Promise<number> =>
  ((await (await fetch(`${agent.url}/api/v1/jobs`)).json()) as { jobs: unknown[] }).jobs.length;

describe('cross-site requests from a real browser', { skip: skipBrowser }, () => {
  it('a page on another origin cannot drive the agent by any simple request, WebSocket or event stream', async () => {
    const page = await browser.newPage();
    await page.goto(evilOrigin);
    const target = `http://127.0.0.1:${agentPort}`;
    const [sessionsBefore, jobsBefore] = [await sessions(), await jobCount()];
    const outcome = await page.evaluate(
      async ({ target, body }) => {
        const sent: string[] = [];
        const simple = async (url: string, init: RequestInit) => {
          // no-cors: the page cannot read the answer, but the request is sent without a preflight.
          await fetch(url, { ...init, mode: 'no-cors' }).catch(() => undefined);
          sent.push(url);
        };
        await simple(`${target}/api`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ action: 'exec', command: 'version' }),
        });
        await simple(`${target}/api`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: JSON.stringify({ action: 'init_session' }),
        });
        await simple(`${target}/submit-job?jobName=evil`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body,
        });
        await simple(`${target}/api/v1/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ name: 'evil', cmd: 'touch /tmp/evil' }),
        });
        navigator.sendBeacon(`${target}/api`, JSON.stringify({ action: 'init_session' }));
        const ws = await new Promise<string>((resolve) => {
          const socket = new WebSocket(`${target.replace('http', 'ws')}/ws`);
          socket.onmessage = () => resolve('message');
          socket.onerror = () => resolve('refused');
        });
        const sse = await new Promise<string>((resolve) => {
          const source = new EventSource(`${target}/api/v1/events`);
          source.onopen = () => resolve('open');
          source.onerror = () => {
            source.close();
            resolve('refused');
          };
        });
        return { sent, ws, sse };
      },
      { target, body: pipeline(path.join(outDir, 'evil', 'out.json')) },
    );
    assert.equal(outcome.sent.length, 4, 'every simple request was sent');
    assert.equal(outcome.ws, 'refused');
    assert.equal(outcome.sse, 'refused');
    // A beacon is sent after the page's script goes on: give it a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await sessions(), sessionsBefore, 'no console session was opened');
    assert.equal(await jobCount(), jobsBefore, 'no job was created');
    assert.equal(existsSync(path.join(outDir, 'evil')), false, 'no file was written');
    await page.close();
  });

  it('the same requests from the agent’s own page work', async () => {
    const page = await browser.newPage();
    await page.goto(`${agent.url}/`);
    const outcome = await page.evaluate(async () => {
      const reply = await fetch('/api', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ action: 'exec', command: 'version' }),
      });
      const ws = await new Promise<string>((resolve) => {
        const socket = new WebSocket(`ws://${location.host}/ws`);
        socket.onmessage = () => {
          socket.close();
          resolve('message');
        };
        socket.onerror = () => resolve('refused');
      });
      const sse = await new Promise<string>((resolve) => {
        const source = new EventSource('/api/v1/events');
        source.onopen = () => {
          source.close();
          resolve('open');
        };
        source.onerror = () => resolve('refused');
      });
      return { state: ((await reply.json()) as { state: string }).state, ws, sse };
    });
    assert.deepEqual(outcome, { state: 'SUCCEEDED', ws: 'message', sse: 'open' });
    await page.close();
  });

  it('a name rebound to loopback cannot read the agent; a name it was told to answer can', async () => {
    const page = await browser.newPage();
    const refused = await page.goto(`http://${REBOUND}:${agentPort}/api/v1/jobs`);
    assert.equal(refused?.status(), 403);
    assert.match((await page.textContent('body')) ?? '', /--allowed-hosts/);
    await page.close();

    const named = await startAgent({ args: ['--allowed-hosts', REBOUND] });
    try {
      const again = await browser.newPage();
      const ok = await again.goto(`http://${REBOUND}:${new URL(named.url).port}/api/v1/jobs`);
      assert.equal(ok?.status(), 200);
      await again.close();
    } finally {
      await named.stop();
    }
  });
});
