import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../logger.ts';
import { createAuth } from './auth.ts';
import { createRequestRules } from './request-rules.ts';
import { createServer } from './server.ts';
import { registerSurface } from './surface-plugin.ts';
import { ARTHAS, SEATUNNEL } from './surfaces.ts';
import { createSiteGuard } from './site-guard.ts';

/** The real rules, as app.ts builds them, over a loopback bind without a token. */
const rules = () =>
  createRequestRules({
    guard: createSiteGuard({ bind: '127.0.0.1', allowedHosts: [], allowedOrigins: [] }),
    auth: createAuth({ token: undefined, cookieSecret: 'cookie secret' }),
    readOnly: false,
  });

describe('the server', () => {
  it('refuses requests once it is shutting down, 503 in the shape of their surface', async () => {
    const r = rules();
    const { app } = await createServer({ logger: silentLogger(), module: 'test', rules: r });
    await registerSurface(app, SEATUNNEL, (scope) => scope.get('/overview', async () => ({})));
    await registerSurface(app, ARTHAS, (scope) => scope.post('/api', async () => ({})));
    assert.equal((await app.inject({ method: 'GET', url: '/overview' })).statusCode, 200);

    r.close();
    const seatunnel = await app.inject({ method: 'GET', url: '/overview' });
    assert.equal(seatunnel.statusCode, 503);
    assert.equal(seatunnel.headers.connection, 'close');
    assert.equal(seatunnel.json().status, 'fail');
    assert.match(seatunnel.json().message, /shutting down/);
    // Arthas answers every outcome with 200 and a state.
    const arthas = await app.inject({ method: 'POST', url: '/api', payload: {} });
    assert.equal(arthas.statusCode, 200);
    assert.equal(arthas.json().state, 'REFUSED');
    const unknown = await app.inject({ method: 'GET', url: '/api/v1/nothing' });
    assert.deepEqual(unknown.json().error.code, 'SHUTTING_DOWN');
    await app.close();
  });

  it('closes the rules when Fastify begins to close', async () => {
    const r = rules();
    const { app } = await createServer({ logger: silentLogger(), module: 'test', rules: r });
    const view = { method: 'GET', url: '/overview', headers: { host: '127.0.0.1' } };
    assert.equal(r.refusal(view, {}), undefined);
    await app.close();
    assert.equal(r.refusal(view, {})?.code, 'SHUTTING_DOWN');
  });

  it('refuses a JSON body nested deeper than any request needs', async () => {
    const { app } = await createServer({ logger: silentLogger(), module: 'test', rules: rules() });
    await registerSurface(app, ARTHAS, (scope) => scope.post('/api', async () => ({})));
    const deep = '['.repeat(1000) + ']'.repeat(1000);
    const res = await app.inject({
      method: 'POST',
      url: '/api',
      headers: { 'content-type': 'application/json' },
      payload: deep,
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().state, 'FAILED');
    assert.match(res.json().message, /nested/);
    await app.close();
  });
});
