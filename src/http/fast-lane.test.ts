import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAuth } from './auth.ts';
import { createFastLane } from './fast-lane.ts';
import { createRequestRules } from './request-rules.ts';
import { createSiteGuard } from './site-guard.ts';

describe('fast lane', () => {
  let server: http.Server;
  let base: string;
  /** Whether requests carry the token; without it the rules refuse them. */
  let admit = true;
  // The real rules, as app.ts builds them: a token, a loopback bind, --read-only.
  const lane = createFastLane({
    rules: createRequestRules({
      guard: createSiteGuard({ bind: '127.0.0.1', allowedHosts: [], allowedOrigins: [] }),
      auth: createAuth({ token: 'secret', cookieSecret: 'cookie secret' }),
      readOnly: true,
    }),
  });
  const read = {};
  // A POST route that judges --read-only itself, as the console's does.
  const console = { checksReadOnly: true };
  lane.get('/ok', read, (headers) => ({
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `hello ${headers['x-name'] ?? 'there'} ✓`,
  }));
  lane.get('/bytes', read, () => ({ headers: {}, body: Buffer.from([1, 2, 3]) }));
  lane.get('/not-ready', read, () => undefined);
  lane.get('/broken', read, () => {
    throw new Error('boom');
  });
  lane.post('/echo', 16, console, async (body) => ({
    headers: {},
    body: `got ${JSON.stringify(body)}`,
  }));
  // node:http refuses this header value: writing the answer throws.
  lane.get('/bad-header', read, () => ({ headers: { 'x-bad': 'a\nb' }, body: 'never' }));
  // Answers once released; `held` resolves when a request has reached it.
  let release: () => void = () => {};
  let reached: () => void = () => {};
  const held = new Promise<void>((resolve) => (reached = resolve));
  lane.post('/held', 16, console, async () => {
    reached();
    await new Promise<void>((resolve) => (release = resolve));
    return { headers: {}, body: 'late' };
  });

  before(async () => {
    // Whatever the lane hands on is answered by this stand-in for Fastify.
    server = http.createServer((request, response) => {
      if (!lane.serve(request, response)) response.writeHead(299).end('fallback');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (admit) headers.set('authorization', 'Bearer secret');
    const res = await fetch(base + path, { ...init, headers });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };

  it("answers a route with its headers, the rules' ones and an exact content-length", async () => {
    const res = await get('/ok', { headers: { 'x-name': 'ops' } });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello ops ✓');
    assert.equal(res.headers.get('x-bosun-read-only'), 'true');
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength('hello ops ✓')));
    const bytes = await fetch(base + '/bytes', { headers: { authorization: 'Bearer secret' } });
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [1, 2, 3]);
  });

  it('hands on what it does not serve: other paths, query strings, methods other than GET', async () => {
    assert.equal((await get('/other')).status, 299);
    assert.equal((await get('/ok?x=1')).status, 299);
    assert.equal((await get('/ok/')).status, 299);
    assert.equal((await get('/ok', { method: 'HEAD' })).status, 299);
    assert.equal((await get('/ok', { method: 'POST', body: 'x' })).status, 299);
  });

  it('hands on when a route has no answer or throws, so the full path answers the error', async () => {
    assert.equal((await get('/not-ready')).status, 299);
    assert.equal((await get('/broken')).status, 299);
  });

  it('answers a POST from its whole body, empty bodies included', async () => {
    const res = await get('/echo', { method: 'POST', body: 'ünï' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'got "ünï"');
    // A route that judges --read-only itself gets no read-only header, as in Fastify.
    assert.equal(res.headers.get('x-bosun-read-only'), null);
    assert.equal((await get('/echo', { method: 'POST', body: '' })).body, 'got ""');
    // A body that arrives in pieces is read whole.
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${base}/echo`, {
        method: 'POST',
        headers: { 'content-length': 6, authorization: 'Bearer secret' },
      });
      req.on('response', (r) => {
        r.setEncoding('utf8');
        let text = '';
        r.on('data', (c: string) => (text += c)).on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('abc');
      setTimeout(() => req.end('def'), 20);
    });
    assert.equal(reply, 'got "abcdef"');
    // A client that goes away mid-body takes nothing down with it.
    await new Promise<void>((resolve) => {
      const req = http.request(`${base}/echo`, {
        method: 'POST',
        headers: { 'content-length': 6, authorization: 'Bearer secret' },
      });
      req.on('error', () => resolve());
      req.write('abc', () => setTimeout(() => req.destroy(), 20));
    });
    assert.equal((await get('/echo', { method: 'POST', body: 'again' })).body, 'got "again"');
  });

  it('answers every request of a burst, and goes on when a client leaves before its answer', async () => {
    const paths = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? '/ok' : '/bytes'));
    const answers = await Promise.all(paths.map((path) => get(path)));
    assert.deepEqual(
      answers.map((a) => a.status),
      paths.map(() => 200),
    );
    // An answer that cannot be written ends its own connection; the server and the others go on.
    const [bad, ...rest] = await Promise.allSettled([
      get('/bad-header'),
      ...paths.slice(0, 10).map((path) => get(path)),
    ]);
    assert.equal(bad?.status, 'rejected');
    assert.deepEqual(
      rest.map((r) => r.status === 'fulfilled' && r.value.status),
      rest.map(() => 200),
    );
    // The client leaves while its answer is being made; the answer is dropped, the server goes on.
    const aborted = new AbortController();
    const gone = fetch(`${base}/held`, {
      method: 'POST',
      body: 'x',
      headers: { authorization: 'Bearer secret' },
      signal: aborted.signal,
    });
    await held;
    aborted.abort();
    await assert.rejects(gone);
    await new Promise((resolve) => setTimeout(resolve, 50)); // for the server to see the close
    release();
    assert.equal((await get('/echo', { method: 'POST', body: 'next' })).body, 'got "next"');
  });

  it('hands a POST on when Fastify must judge it: too large, chunked, unknown path, not admitted', async () => {
    assert.equal((await get('/echo', { method: 'POST', body: 'x'.repeat(17) })).status, 299);
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'));
        c.close();
      },
    });
    assert.equal(
      (await get('/echo', { method: 'POST', body: chunked, duplex: 'half' } as RequestInit)).status,
      299,
    );
    assert.equal((await get('/echo?x=1', { method: 'POST', body: 'x' })).status, 299);
    assert.equal((await get('/ok', { method: 'POST', body: 'x' })).status, 299);
    admit = false;
    assert.equal((await get('/echo', { method: 'POST', body: 'x' })).status, 299);
    admit = true;
  });

  it('hands on requests the rules refuse, and everything once closed', async () => {
    admit = false;
    assert.equal((await get('/ok')).status, 299);
    admit = true;
    assert.equal((await get('/ok')).status, 200);
    // A foreign page's POST (site-guard.ts), and a rebinding Host.
    const foreign = { origin: 'https://evil.example' };
    assert.equal((await get('/echo', { method: 'POST', body: 'x', headers: foreign })).status, 299);
    const rebound = await new Promise<number>((resolve, reject) => {
      http
        .get(`${base}/ok`, { headers: { host: 'evil.example', authorization: 'Bearer secret' } })
        .on('response', (r) => resolve(r.resume().statusCode ?? 0))
        .on('error', reject);
    });
    assert.equal(rebound, 299);
    lane.close();
    assert.equal((await get('/ok')).status, 299);
  });
});
