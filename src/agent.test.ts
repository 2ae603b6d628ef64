import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runEnv } from './agent.ts';

describe('the agent module graph', () => {
  it('does not load undici, which only fetch and WebSocket need', () => {
    // In a fresh process: this one has loaded node:test and its reporters.
    const script = `await import(${JSON.stringify(new URL('./agent.ts', import.meta.url).href)});
      console.log(JSON.stringify(process.moduleLoadList));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as string[];
    // ~3 MiB of the idle agent's RSS; an ES import of node:http would load it (see app.ts).
    assert.deepEqual(
      loaded.filter((name) => /undici/.test(name)),
      [],
    );
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
