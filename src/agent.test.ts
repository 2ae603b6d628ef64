import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleGraph, type ModuleGraph } from '../test/support/module-graph.ts';
import { runEnv } from './agent.ts';

describe('the agent module graph', () => {
  let graph: ModuleGraph | undefined;
  const loaded = (): ModuleGraph => (graph ??= moduleGraph(new URL('./agent.ts', import.meta.url)));

  it('does not load undici, which only fetch and WebSocket need', () => {
    // ~3 MiB of the idle agent's RSS; an ES import of node:http would load it (see app.ts).
    assert.deepEqual(
      loaded().builtins.filter((name) => /undici/.test(name)),
      [],
    );
  });

  it('does not load @fastify/swagger, which only the first OpenAPI document request needs', () => {
    assert.deepEqual(
      loaded().urls.filter((url) => url.includes('/node_modules/@fastify/swagger/')),
      [],
    );
  });

  it('does not load the pipeline connectors, which only the pipeline engine runs', () => {
    // ~0.5 MiB of the idle agent's heap; the agent needs their names alone (connectors/catalog.ts).
    const connectors = new URL('./pipeline/connectors/', import.meta.url).href;
    assert.deepEqual(
      loaded().urls.filter((url) => url.startsWith(connectors) && !url.endsWith('/catalog.ts')),
      [],
    );
    assert.ok(loaded().urls.some((url) => url.endsWith('/pipeline/connectors/catalog.ts')));
  });
});

describe('runEnv', () => {
  it('drops the agent settings, its Node options and what bin/bosun set for the agent', () => {
    assert.deepEqual(
      runEnv({
        PATH: '/bin',
        BOSUN_PORT: '9000',
        NODE_OPTIONS: '--inspect',
        MALLOC_ARENA_MAX: '1',
        NODE_COMPILE_CACHE: '/opt/bosun/node_modules/.cache/bosun',
        BOSUN_LAUNCHER_ENV: 'NODE_COMPILE_CACHE MALLOC_ARENA_MAX',
      }),
      { PATH: '/bin' },
    );
  });

  it("keeps what the agent's caller set itself", () => {
    const caller = { PATH: '/bin', MALLOC_ARENA_MAX: '4', NODE_COMPILE_CACHE: '/tmp/cache' };
    assert.deepEqual(runEnv({ ...caller, BOSUN_LAUNCHER_ENV: '' }), caller);
  });
});
