import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { AgentError } from '../errors.ts';
import { registerSurface } from './surface-plugin.ts';
import {
  ARTHAS,
  CLOUDTASK,
  DASHBOARD,
  METRICS,
  NATIVE,
  SEATUNNEL,
  VMINFO,
  surfaceOf,
} from './surfaces.ts';

describe('surfaceOf', () => {
  it('gives each path to the surface with the longest matching prefix', () => {
    const cases: Array<[string, typeof NATIVE]> = [
      ['/api/v1/jobs', NATIVE],
      ['/api/v1/jobs/12/runs?limit=5', NATIVE],
      ['/api/v2/anything', NATIVE],
      ['/api/', NATIVE],
      ['/api', ARTHAS],
      ['/api?token=x', ARTHAS],
      ['/apis', DASHBOARD],
      ['/api/v1/snapshot', VMINFO],
      ['/api/v1/processes?sort=cpu', VMINFO],
      ['/api/v1/snapshots', NATIVE],
      ['/healthz', VMINFO],
      ['/ws', VMINFO],
      ['/hazelcast/rest/maps/overview', SEATUNNEL],
      ['/hazelcast/rest/anything', SEATUNNEL],
      ['/hazelcast/rest', DASHBOARD],
      ['/overview', SEATUNNEL],
      ['/overview?tag=a', SEATUNNEL],
      ['/job-info/123', SEATUNNEL],
      ['/running-job', SEATUNNEL],
      ['/overviews', DASHBOARD],
      ['/cloudtask/v2/_ping', CLOUDTASK],
      ['/cloudtask/v1/x', CLOUDTASK],
      ['/cloudtask', DASHBOARD],
      ['/metrics', METRICS],
      ['/', DASHBOARD],
      ['/assets/app.js', DASHBOARD],
    ];
    for (const [url, surface] of cases) assert.equal(surfaceOf(url).name, surface.name, url);
  });
});

describe('registerSurface', () => {
  it('answers errors raised on its routes in its shape, whatever the path', async () => {
    const app = Fastify();
    app.addHook('onRequest', async (request) => {
      if (request.headers['x-refuse'] !== undefined) throw new AgentError('FORBIDDEN', 'no');
    });
    await registerSurface(app, SEATUNNEL, (scope) =>
      scope.get('/overview', async () => {
        throw new AgentError('NOT_FOUND', 'no such tag');
      }),
    );
    await registerSurface(app, ARTHAS, (scope) => scope.get('/api', async () => ({ ok: true })));
    const thrown = await app.inject({ method: 'GET', url: '/overview' });
    assert.equal(thrown.statusCode, 404);
    assert.deepEqual(thrown.json(), { status: 'fail', message: 'no such tag' });
    // An app-wide hook's refusal is rendered by the surface of the route it ran for.
    const refused = await app.inject({ method: 'GET', url: '/api', headers: { 'x-refuse': '1' } });
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(refused.json(), { state: 'REFUSED', message: 'no' });
    await app.close();
  });

  it("answers a refusal on the dashboard's wildcard in the shape of the surface the path names", async () => {
    const app = Fastify();
    app.addHook('onRequest', async (request) => {
      if (request.headers['x-refuse'] !== undefined) throw new AgentError('FORBIDDEN', 'no');
    });
    await registerSurface(app, SEATUNNEL, (scope) => scope.post('/submit-job', async () => ({})));
    await registerSurface(app, DASHBOARD, (scope) => scope.get('/*', async () => 'page'));
    const refuse = { 'x-refuse': '1' };
    // A GET of a path SeaTunnel has only a POST for is routed to the wildcard.
    const seatunnel = await app.inject({ method: 'GET', url: '/submit-job', headers: refuse });
    assert.equal(seatunnel.statusCode, 403);
    assert.deepEqual(seatunnel.json(), { status: 'fail', message: 'no' });
    const page = await app.inject({ method: 'GET', url: '/index.html', headers: refuse });
    assert.deepEqual(page.json(), { error: { code: 'FORBIDDEN', message: 'no' } });
    await app.close();
  });

  it('refuses a route whose path the table gives to another surface', async () => {
    const app = Fastify();
    await assert.rejects(
      registerSurface(app, CLOUDTASK, (scope) => scope.get('/api/v1/jobs', async () => ({}))),
      /GET \/api\/v1\/jobs is registered by the cloudtask surface, but surfaces.ts gives that path to native/,
    );
    await app.close().catch(() => undefined);
  });
});
