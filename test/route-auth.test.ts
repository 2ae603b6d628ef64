// Token mode over the route table Fastify actually registers (issue 21): every method of every route
// but GET and HEAD /healthz and /readyz answers 401 without credentials (Arthas's /api with an empty body and a
// Basic challenge, every other path with a Bearer one), and something else with the token. A route
// added later is covered without touching this file. Requests carry no body, or an empty one, so
// nothing is created, started or stopped. Requests go in-process (inject): this is about the routes
// Fastify registers and the answers' shapes, each from the client address it names.
import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const TOKEN = 'x'.repeat(24);
const PUBLIC = new Set(['GET /healthz', 'HEAD /healthz', 'GET /readyz', 'HEAD /readyz']);
/**
 * Failed attempts one address may make before the agent throttles it (auth.ts allows 10 a
 * minute): the requests without credentials come from successive loopback addresses, so each
 * answer is the 401 under test rather than the throttle's 429.
 */
const FAILURES_PER_ADDRESS = 8;

let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent({ token: TOKEN });
});
after(async () => {
  await agent?.stop();
});

interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
}

/**
 * One request from `from`, with the Host a client on the agent's URL sends; an event stream is
 * left once its head arrives (the agent ends its streams when it stops).
 */
async function request(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  from = '127.0.0.1',
): Promise<Answer> {
  const res = await agent.inject({
    method: method as 'GET',
    url: path,
    headers: { host: new URL(agent.url).host, ...headers },
    remoteAddress: from,
    payloadAsStream: true,
  });
  const stream = res.stream();
  if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    stream.destroy();
    return { status: res.statusCode, headers: res.headers, body: '' };
  }
  let body = '';
  for await (const chunk of stream) body += String(chunk);
  return { status: res.statusCode, headers: res.headers, body };
}

/** A concrete path for a route pattern: parameters are 0, a catch-all is a dashboard file. */
const pathOf = (url: string): string =>
  url.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, '0').replace(/\*$/, 'index.html');

let sent = 0;
/** 127.0.0.2, 127.0.0.3, …: a fresh address every FAILURES_PER_ADDRESS requests. */
const nextAddress = (): string => `127.0.0.${2 + Math.floor(sent++ / FAILURES_PER_ADDRESS)}`;

describe('route auth in token mode', () => {
  it('keeps GET and HEAD /healthz and /readyz public', async () => {
    assert.equal((await request('GET', '/healthz')).status, 200);
    assert.equal((await request('HEAD', '/healthz')).status, 200);
    assert.equal((await request('GET', '/readyz')).status, 200);
  });

  it('answers every other registered route 401 without credentials and not with the token', async (t) => {
    const routes = agent.agent.routes().filter((r) => !PUBLIC.has(`${r.method} ${r.url}`));
    assert.ok(routes.length > 50, `the route table looks too small: ${routes.length} routes`);
    const withToken = new Map<number, number>();
    for (const { method, url } of routes) {
      await t.test(`${method} ${url}`, async () => {
        const path = pathOf(url);
        const bare = await request(method, path, {}, nextAddress());
        const where = `${method} ${path} without credentials`;
        assert.equal(bare.status, 401, `${where}: ${bare.status} ${bare.body.slice(0, 300)}`);
        const challenge = String(bare.headers['www-authenticate'] ?? '');
        if (path === '/api') {
          assert.match(challenge, /^Basic /, `${where}: Arthas clients get a Basic challenge`);
          assert.equal(bare.body, '', `${where}: Arthas's 401 has an empty body`);
        } else {
          assert.match(challenge, /^Bearer /, `${where}: a Bearer challenge`);
        }

        const authed = await request(method, path, { authorization: `Bearer ${TOKEN}` });
        const shown = `${method} ${path} with the token: ${authed.status} ${authed.body.slice(0, 300)}`;
        assert.notEqual(authed.status, 401, shown);
        assert.notEqual(authed.status, 429, shown);
        assert.ok(authed.status < 500, shown);
        withToken.set(authed.status, (withToken.get(authed.status) ?? 0) + 1);
      });
    }
    t.diagnostic(
      `${routes.length} routes; with the token: ${[...withToken]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ')}`,
    );
  });

  it('never throttles a valid token, even from an address that keeps failing', async () => {
    const from = '127.0.0.250';
    for (let i = 0; i < 12; i += 1) {
      const status = (await request('GET', '/api/v1/health', {}, from)).status;
      assert.ok(status === 401 || status === 429, `failure ${i + 1} answered ${status}`);
    }
    const throttled = await request('GET', '/api/v1/health', {}, from);
    assert.equal(throttled.status, 429, 'a guesser from that address is slowed down');
    const valid = await request(
      'GET',
      '/api/v1/health',
      { authorization: `Bearer ${TOKEN}` },
      from,
    );
    assert.equal(valid.status, 200, 'a valid token from the same address still passes');
  });
});
