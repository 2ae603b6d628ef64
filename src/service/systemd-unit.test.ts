import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteArg, renderUnit, STOP_TIMEOUT_SEC, type UnitSpec } from './systemd-unit.ts';

const spec: UnitSpec = {
  version: '1.2.3',
  nodePath: '/opt/bosun/node_modules/node/bin/node',
  nodeFlags: ['--max-semi-space-size=16'],
  mainPath: '/opt/bosun/dist/main.js',
  serveFlags: ['--port', '9000'],
  env: { MALLOC_ARENA_MAX: '1', BOSUN_LAUNCHER_ENV: 'NODE_COMPILE_CACHE MALLOC_ARENA_MAX' },
};

/** The unit's `key=value` lines of one section, in order. */
const section = (unit: string, name: string): string[] => {
  const lines = unit.split('\n');
  const start = lines.indexOf(`[${name}]`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('['));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((l) => /^\w+=/.test(l));
};

describe('renderUnit', () => {
  it('starts the agent with its tuning and no re-exec, as the service', () => {
    const service = section(renderUnit(spec), 'Service');
    assert.ok(service.includes('Type=exec'));
    assert.ok(service.includes('DynamicUser=yes'));
    assert.ok(
      service.includes(
        'ExecStart=/opt/bosun/node_modules/node/bin/node --max-semi-space-size=16 /opt/bosun/dist/main.js serve --port 9000',
      ),
    );
    assert.ok(service.includes('Environment=MALLOC_ARENA_MAX=1'));
    assert.ok(
      service.includes('Environment="BOSUN_LAUNCHER_ENV=NODE_COMPILE_CACHE MALLOC_ARENA_MAX"'),
    );
    assert.ok(service.includes('Environment=BOSUN_DATA_DIR=%S/bosun'));
    assert.ok(service.includes('StateDirectory=bosun'));
  });

  it('restarts on failure and gives the agent time to stop its runs', () => {
    const service = section(renderUnit(spec), 'Service');
    assert.ok(service.includes('Restart=on-failure'));
    assert.ok(service.includes('KillMode=mixed'));
    assert.ok(service.includes(`TimeoutStopSec=${STOP_TIMEOUT_SEC}s`));
    // main.ts forces an exit after 15 s: systemd must not kill before that.
    assert.ok(STOP_TIMEOUT_SEC > 15);
    assert.ok(service.includes('StandardOutput=journal'));
  });

  it('runs as the given user and takes the token from a credential', () => {
    const unit = renderUnit({ ...spec, user: 'bosun', tokenFile: '/etc/bosun/token' });
    const service = section(unit, 'Service');
    assert.ok(service.includes('User=bosun'));
    assert.ok(!service.includes('DynamicUser=yes'));
    assert.ok(service.includes('LoadCredential=token:/etc/bosun/token'));
    assert.ok(service.includes('Environment=BOSUN_TOKEN_FILE=%d/token'));
    assert.ok(!unit.includes('--token'));
  });

  it('is sandboxed, with what jobs need left out', () => {
    const service = section(renderUnit(spec), 'Service');
    for (const line of [
      'NoNewPrivileges=yes',
      'ProtectSystem=full',
      'PrivateTmp=yes',
      'UMask=0077',
    ]) {
      assert.ok(service.includes(line), line);
    }
    // V8's JIT writes code; the monitor reads every process.
    assert.ok(!service.some((l) => l.startsWith('MemoryDenyWriteExecute')));
    assert.ok(!service.some((l) => l.startsWith('ProtectProc')));
  });
});

describe('quoteArg', () => {
  it('leaves plain words alone and quotes the rest as systemd splits them', () => {
    assert.equal(quoteArg('--port'), '--port');
    assert.equal(quoteArg('/opt/my app/main.js'), '"/opt/my app/main.js"');
    assert.equal(quoteArg('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(quoteArg(''), '""');
  });

  it('doubles % and $ so systemd reads them literally', () => {
    assert.equal(quoteArg('50%'), '50%%');
    assert.equal(quoteArg('$HOME'), '"$$HOME"');
  });
});
