import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAUNCHER_ENV, planTunedStart, type ProcessStart } from './runtime-tuning.ts';

const start = (overrides: Partial<ProcessStart> = {}): ProcessStart => ({
  compileCacheDir: '/srv/bosun/node_modules/.cache/bosun',
  execPath: '/opt/node',
  execArgv: [],
  argv: ['/opt/node', '/srv/bosun/src/main.ts', 'serve', '--port', '0'],
  env: { PATH: '/usr/bin', HOME: '/home/ops' },
  ...overrides,
});

describe('planTunedStart', () => {
  it('re-executes serve with the compile cache, one malloc arena and a capped young generation, and says what it set', () => {
    assert.deepEqual(planTunedStart(start()), {
      args: [
        '/opt/node',
        '--max-semi-space-size=16',
        '/srv/bosun/src/main.ts',
        'serve',
        '--port',
        '0',
      ],
      env: {
        PATH: '/usr/bin',
        HOME: '/home/ops',
        NODE_COMPILE_CACHE: '/srv/bosun/node_modules/.cache/bosun',
        MALLOC_ARENA_MAX: '1',
        [LAUNCHER_ENV]: 'NODE_COMPILE_CACHE MALLOC_ARENA_MAX',
      },
    });
  });

  it('keeps node flags the caller gave', () => {
    const plan = planTunedStart(start({ execArgv: ['--inspect=0'] }));
    assert.deepEqual(plan?.args.slice(0, 4), [
      '/opt/node',
      '--max-semi-space-size=16',
      '--inspect=0',
      '/srv/bosun/src/main.ts',
    ]);
  });

  it("leaves the caller's own settings as they are, and does nothing when the caller set them all", () => {
    const ownArena = planTunedStart(start({ env: { MALLOC_ARENA_MAX: '4' } }));
    assert.equal(ownArena?.env.MALLOC_ARENA_MAX, '4');
    assert.equal(ownArena?.env[LAUNCHER_ENV], 'NODE_COMPILE_CACHE');

    const ownCache = planTunedStart(start({ env: { NODE_DISABLE_COMPILE_CACHE: '1' } }));
    assert.equal(ownCache?.env.NODE_COMPILE_CACHE, undefined);
    assert.equal(ownCache?.env[LAUNCHER_ENV], 'MALLOC_ARENA_MAX');
    assert.ok(ownArena?.args.includes('--max-semi-space-size=16'));

    const ownSize = planTunedStart(start({ env: { NODE_OPTIONS: '--max_semi_space_size=32' } }));
    assert.deepEqual(ownSize?.args.slice(0, 2), ['/opt/node', '/srv/bosun/src/main.ts']);
    assert.equal(ownSize?.env.MALLOC_ARENA_MAX, '1');

    assert.equal(
      planTunedStart(
        start({
          execArgv: ['--max-semi-space-size=8'],
          env: { MALLOC_ARENA_MAX: '2', NODE_COMPILE_CACHE: '/var/cache/bosun' },
        }),
      ),
      undefined,
    );
  });

  it('re-executes once, and only the agent', () => {
    assert.equal(planTunedStart(start({ env: { [LAUNCHER_ENV]: 'MALLOC_ARENA_MAX' } })), undefined);
    assert.equal(planTunedStart(start({ env: { [LAUNCHER_ENV]: '' } })), undefined);
    for (const args of [['jobs', 'ls'], ['--version'], ['serve', '--help'].slice(1), []]) {
      assert.equal(planTunedStart(start({ argv: ['/opt/node', 'main.ts', ...args] })), undefined);
    }
    assert.ok(planTunedStart(start({ argv: ['/opt/node', 'main.ts', 'serve', '--help'] })));
  });
});
