// Token mode across surfaces: Bearer, Basic, ?token= with the cookie, /healthz public, /ws rules,
// the rate limit on failures, and read-only mode. HTTP answers are checked in-process (inject, from
// 127.0.0.1 as on loopback, redirects not followed); /ws and the read-only header on the fast
// lane's reads go over the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const TOKEN = 'test-token-0123456789';
let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent({ token: TOKEN });
});
after(async () => {
  await agent?.stop();
});

const request = (path: string, headers: Record<string, string> = {}) =>
  injectClient(agent)('GET', path, undefined, headers);

describe('token mode', () => {
  it('keeps /healthz public', async () => {
    const res = await request('/healthz');
    assert.equal(res.status, 200);
  });

  it('refuses the API without a token in the native error shape', async () => {
    const res = await request('/api/v1/snapshot');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
    const body = res.body as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'UNAUTHORIZED');
    assert.match(body.error.message, /Authorization: Bearer/);
  });

  it("refuses SeaTunnel paths in SeaTunnel's error shape", async () => {
    const res = await request('/hazelcast/rest/maps/system-monitoring-information');
    assert.equal(res.status, 401);
    assert.deepEqual(Object.keys(res.body as object).sort(), ['message', 'status']);
  });

  it('accepts the token as Bearer and as the Basic password', async () => {
    assert.equal(
      (await request('/api/v1/health', { authorization: `Bearer ${TOKEN}` })).status,
      200,
    );
    const basic = Buffer.from(`arthas:${TOKEN}`).toString('base64');
    assert.equal(
      (await request('/api/v1/health', { authorization: `Basic ${basic}` })).status,
      200,
    );
    assert.equal(
      (await request('/api/v1/health', { authorization: `Bearer ${TOKEN}x` })).status,
      401,
    );
  });

  it('trades ?token= on a page visit for an HttpOnly SameSite cookie and a redirect to the clean URL', async () => {
    const visit = await request(`/?token=${TOKEN}&theme=dark`, { accept: 'text/html' });
    assert.equal(visit.status, 302);
    assert.equal(visit.headers.get('location'), '/?theme=dark');
    const cookie = visit.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^bosun_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(!cookie.includes(TOKEN), 'the cookie holds a derived value, not the token');
    const pair = cookie.split(';', 1)[0] ?? '';
    assert.equal((await request('/api/v1/snapshot', { cookie: pair })).status, 200);
    assert.equal(
      (await request('/api/v1/snapshot', { cookie: 'bosun_session=forged' })).status,
      401,
    );
  });

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const visit = await request(`/?token=${TOKEN}`, {
      accept: 'text/html',
      'x-forwarded-proto': 'https',
    });
    assert.match(visit.headers.get('set-cookie') ?? '', /; Secure$/);
  });

  it('tells a browser without a token how to sign in', async () => {
    const res = await request('/', { accept: 'text/html' });
    assert.equal(res.status, 401);
    assert.match(String(res.body), /\/\?token=/);
  });

  it('requires the token on /ws and refuses cross-origin browsers', async () => {
    const wsUrl = agent.url.replace('http', 'ws') + '/ws';
    const outcome = (ws: WebSocket) =>
      new Promise<string>((resolve) => {
        ws.once('message', () => resolve('message'));
        ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.once('error', (err) => resolve(err.message));
      });
    assert.equal(await outcome(new WebSocket(wsUrl)), '401');
    const host = new URL(agent.url).host;
    assert.equal(
      await outcome(
        new WebSocket(wsUrl, {
          headers: { authorization: `Bearer ${TOKEN}` },
          origin: 'http://evil.example',
        }),
      ),
      '403',
    );
    const ok = new WebSocket(wsUrl, {
      headers: { authorization: `Bearer ${TOKEN}` },
      origin: `http://${host}`,
    });
    assert.equal(await outcome(ok), 'message');
    ok.close();
    const script = new WebSocket(`${wsUrl}?token=${TOKEN}`);
    assert.equal(await outcome(script), 'message');
    script.close();
  });

  it('sends no permissive CORS header', async () => {
    const res = await request('/api/v1/health', {
      authorization: `Bearer ${TOKEN}`,
      origin: 'http://evil.example',
    });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('rate-limits repeated failures from one address, never a valid token', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) {
      last = (await request('/api/v1/health', { authorization: 'Bearer wrong-token' })).status;
    }
    assert.equal(last, 429);
    // On loopback or behind a proxy everyone shares the address: the good token still passes...
    assert.equal(
      (await request('/api/v1/health', { authorization: `Bearer ${TOKEN}` })).status,
      200,
    );
    assert.equal(
      (await request('/api/v1/health', { authorization: 'Bearer still-wrong' })).status,
      429,
    );
    // ...while /healthz stays public.
    assert.equal((await request('/healthz')).status, 200);
  });
});

describe('read-only mode', () => {
  let ro: InProcessAgent;
  before(async () => {
    ro = await startInProcessAgent({ 'read-only': true });
  });
  after(async () => {
    await ro?.stop();
  });

  it('refuses changing methods with 403 and a clear message, and serves reads', async () => {
    const api = injectClient(ro);
    const res = await api('POST', '/api/v1/jobs', '{}');
    assert.equal(res.status, 403);
    const body = res.body as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'READ_ONLY');
    assert.match(body.error.message, /read-only/);
    assert.equal((await api('GET', '/api/v1/health')).status, 200);
  });

  it('tells clients it is read-only on every read, served directly or through Fastify', async () => {
    for (const path of ['/api/v1/health', '/api/v1/health?x=1', '/api/v1/jobs']) {
      const res = await fetch(ro.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('x-bosun-read-only'), 'true', path);
    }
  });
});
