import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { createRouteMethods } from './route-methods.ts';

const route = (method: string | string[], url: string) =>
  ({ method, url, handler: () => undefined }) as unknown as RouteOptions;

describe('createRouteMethods', () => {
  it('lists the methods of every route whose pattern matches the path', () => {
    const table = createRouteMethods();
    table.onRoute(route('GET', '/api/v1/jobs'));
    table.onRoute(route(['POST', 'HEAD'], '/api/v1/jobs'));
    table.onRoute(route('DELETE', '/api/v1/jobs/:id'));
    table.onRoute(route('GET', '/files/*'));
    assert.deepEqual(table.allowed('/api/v1/jobs'), ['GET', 'HEAD', 'POST']);
    assert.deepEqual(table.allowed('/api/v1/jobs/42'), ['DELETE']);
    assert.deepEqual(table.allowed('/api/v1/jobs/42/runs'), []);
    assert.deepEqual(
      table.allowed('/files/a/b.txt'),
      [],
      'a catch-all allows nothing in particular',
    );
  });

  it('takes dots in a path literally', () => {
    const table = createRouteMethods();
    table.onRoute(route('GET', '/api/v1/openapi.json'));
    assert.deepEqual(table.allowed('/api/v1/openapiXjson'), []);
  });
});
