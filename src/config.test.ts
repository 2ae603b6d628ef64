import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { envName, loadConfig, redactConfig, SETTINGS } from './config.ts';
import { AgentError } from './errors.ts';

const cwd = '/srv/bosun';
const load = (flags: Record<string, string | boolean> = {}, env: Record<string, string> = {}) =>
  loadConfig({ flags, env, cwd });
const yamlFile = (text: string): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bosun-config-')), 'bosun.yaml');
  writeFileSync(file, text);
  return file;
};
const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof AgentError && err.code === 'INVALID_CONFIG' && pattern.test(err.message),
  );

describe('loadConfig', () => {
  it('has vminfo-like defaults on loopback with SQLite in ./data', () => {
    const c = load();
    assert.equal(c.bind, '127.0.0.1');
    assert.equal(c.port, 8600);
    assert.equal(c.intervalMs, 3000);
    assert.equal(c.leaseMs, 12_000);
    assert.equal(load({ lease: '30s' }).leaseMs, 30_000);
    assert.equal(c.token, undefined);
    assert.equal(c.readOnly, false);
    assert.equal(c.dataDir, '/srv/bosun/data');
    assert.equal(c.store, '/srv/bosun/data/bosun.db');
    assert.ok(Object.isFrozen(c));
  });

  it('layers defaults < file < env < flags', () => {
    const config = yamlFile('port: 9001\ninterval: 2s\nlog-level: debug\n');
    const c = load({ config, port: '9003' }, { BOSUN_PORT: '9002', BOSUN_INTERVAL: '500ms' });
    assert.equal(c.port, 9003);
    assert.equal(c.intervalMs, 500);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.configFile, config);
  });

  it('reads the config file named by BOSUN_CONFIG', () => {
    const c = load({}, { BOSUN_CONFIG: yamlFile('read-only: true\n') });
    assert.equal(c.readOnly, true);
  });

  it('names the flag, env variable or file key in validation errors', () => {
    rejects(() => load({ port: '70000' }), /^--port: "70000" is not a port/);
    rejects(
      () => load({}, { BOSUN_INTERVAL: 'fast' }),
      /^BOSUN_INTERVAL: "fast" is not a duration/,
    );
    rejects(
      () => load({ config: yamlFile('interval: 10ms\n') }),
      /"interval" in .*bosun.yaml: 10ms is out of range/,
    );
    rejects(() => load({ lease: '2s' }), /^--lease: 2s is out of range; allowed 6s/);
    rejects(() => load({ 'log-level': 'loud' }), /--log-level: "loud" is not one of fatal, error/);
    rejects(
      () => load({}, { BOSUN_READ_ONLY: 'maybe' }),
      /BOSUN_READ_ONLY: "maybe" is not a boolean/,
    );
  });

  it('rejects unknown keys and non-mapping YAML files', () => {
    rejects(() => load({ config: yamlFile('prot: 1\n') }), /unknown setting "prot"/);
    rejects(() => load({ config: yamlFile('- a\n- b\n') }), /must be a mapping/);
    rejects(() => load({ config: yamlFile('port: [1\n') }), /not valid YAML/);
    rejects(
      () => load({ config: '/nonexistent/bosun.yaml' }),
      /cannot read \/nonexistent\/bosun.yaml/,
    );
  });

  it('refuses a non-loopback bind without a token unless insecure', () => {
    rejects(
      () => load({ bind: '0.0.0.0' }),
      /refusing to listen on 0.0.0.0 without a token.*--token/,
    );
    assert.equal(load({ bind: '0.0.0.0', insecure: true }).bind, '0.0.0.0');
    assert.equal(load({ bind: '0.0.0.0', token: 'long-enough-token' }).token, 'long-enough-token');
    assert.equal(load({ bind: '::1' }).bind, '::1');
  });

  it('generates a URL-safe token for a bare --token', () => {
    const c = load({ token: true });
    assert.equal(c.tokenGenerated, true);
    assert.match(c.token ?? '', /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(load({ token: true }).token, c.token);
  });

  it('rejects a token that is too short', () => {
    rejects(() => load({ token: 'short' }), /--token: a token must be at least 8 characters/);
  });

  it('reads the token from --token-file, never together with --token', () => {
    const file = yamlFile('  s3cret-token-from-file\n');
    assert.equal(load({ 'token-file': file }).token, 's3cret-token-from-file');
    assert.equal(load({}, { BOSUN_TOKEN_FILE: file }).token, 's3cret-token-from-file');
    rejects(
      () => load({ 'token-file': file, token: 'another-token' }),
      /either --token or --token-file/,
    );
    // The later source wins, as for every setting.
    assert.equal(
      load({ 'token-file': file }, { BOSUN_TOKEN: 'from-the-env' }).token,
      's3cret-token-from-file',
    );
    assert.equal(load({ token: 'from-a-flag' }, { BOSUN_TOKEN_FILE: file }).token, 'from-a-flag');
    rejects(() => load({ 'token-file': '/nonexistent/token' }), /--token-file: cannot read/);
    rejects(() => load({ 'token-file': yamlFile('short\n') }), /at least 8 characters/);
  });

  it('takes allowed hosts and origins as comma lists or YAML lists, and checks their form', () => {
    const c = load({
      'allowed-hosts': 'Box.LAN, ops',
      'allowed-origins': 'https://ops.example.com/',
    });
    assert.deepEqual(c.allowedHosts, ['box.lan', 'ops']);
    assert.deepEqual(c.allowedOrigins, ['https://ops.example.com']);
    const file = yamlFile('allowed-origins:\n  - http://a.example:8080\n  - https://b.example\n');
    assert.deepEqual(load({ config: file }).allowedOrigins, [
      'http://a.example:8080',
      'https://b.example',
    ]);
    assert.deepEqual(load().allowedHosts, []);
    rejects(
      () => load({ 'allowed-hosts': 'http://box.lan' }),
      /--allowed-hosts: "http:\/\/box.lan" is not a host name/,
    );
    rejects(() => load({ 'allowed-origins': 'ops.example.com' }), /is not an origin/);
    rejects(() => load({ 'allowed-origins': 'https://ops.example.com/path' }), /is not an origin/);
  });

  it('accepts a postgres URL store and resolves a SQLite path against the working directory', () => {
    assert.equal(
      load({ store: 'postgres://u:p@db:5432/bosun' }).store,
      'postgres://u:p@db:5432/bosun',
    );
    assert.equal(load({ store: 'state/x.db' }).store, '/srv/bosun/state/x.db');
    rejects(
      () => load({ store: 'mysql://db/x' }),
      /--store: must be a SQLite file path or a postgres:\/\/ URL/,
    );
  });
});

describe('the SETTINGS table', () => {
  it("gives every setting its row's default when no source names it", () => {
    const c = load() as unknown as Record<string, unknown>;
    for (const s of SETTINGS) {
      if (s.default === undefined) continue;
      const expected = s.kind === 'dir' ? path.resolve(cwd, String(s.default)) : s.default;
      assert.deepEqual(c[s.key], expected, s.name);
    }
  });

  it('reads each setting from its flag, its BOSUN_ variable and its YAML key', () => {
    for (const s of SETTINGS.filter((s) => s.kind === 'duration')) {
      const value = `${s.max}ms`;
      const c = (sources: Parameters<typeof load>) =>
        (load(...sources) as unknown as Record<string, unknown>)[s.key];
      assert.equal(c([{ [s.name]: value }]), s.max, `--${s.name}`);
      assert.equal(c([{}, { [envName(s)]: value }]), s.max, envName(s));
      assert.equal(c([{ config: yamlFile(`${s.name}: ${value}\n`) }]), s.max, s.name);
      rejects(() => load({ [s.name]: `${(s.max ?? 0) + 1}ms` }), /is out of range; allowed/);
    }
  });

  it('shows each default in --help as it would be written in a flag', () => {
    const help = Object.fromEntries(SETTINGS.map((s) => [s.name, s.defaultText]));
    assert.equal(help.interval, '3s');
    assert.equal(help['run-max-age'], '30d');
    assert.equal(help['log-cap'], '8MiB');
    assert.equal(help['log-budget'], '1GiB');
    assert.equal(help.store, '<data-dir>/bosun.db');
    assert.equal(help.token, undefined);
    for (const s of SETTINGS.filter((s) => s.kind === 'duration' || s.kind === 'bytes')) {
      const c = load({ [s.name]: s.defaultText as string }) as unknown as Record<string, unknown>;
      assert.equal(c[s.key], s.default, `--${s.name} ${s.defaultText}`);
    }
  });

  it('states byte-size ranges in the units an operator writes', () => {
    rejects(
      () => load({ 'log-cap': '1k' }),
      /^--log-cap: 1k is out of range; allowed 4KiB to 1GiB/,
    );
    rejects(() => load({ slots: '0' }), /^--slots: "0" is not a whole number between 1 and 4096/);
  });
});

describe('health thresholds', () => {
  it('accepts name=value pairs from a flag or the environment and a mapping from the file', () => {
    assert.deepEqual(load({ health: 'cpuWarningPercent=80, diskCriticalPercent=97' }).health, {
      cpuWarningPercent: 80,
      diskCriticalPercent: 97,
    });
    assert.deepEqual(load({}, { BOSUN_HEALTH: 'swapWarningPercent=70' }).health, {
      swapWarningPercent: 70,
    });
    assert.deepEqual(
      load({
        config: yamlFile('health:\n  memoryWarningPercent: 70\n  memoryCriticalPercent: 85\n'),
      }).health,
      { memoryWarningPercent: 70, memoryCriticalPercent: 85 },
    );
    assert.deepEqual(load().health, {});
  });

  it('names unknown thresholds and bad values', () => {
    rejects(
      () => load({ health: 'cpuWarning=80' }),
      /--health: unknown threshold "cpuWarning"; known: cpuWarningPercent/,
    );
    rejects(
      () => load({ health: 'cpuWarningPercent=lots' }),
      /--health: cpuWarningPercent must be a number/,
    );
    rejects(
      () => load({ health: 'cpuWarningPercent' }),
      /--health: "cpuWarningPercent" is not name=value/,
    );
    rejects(
      () => load({ config: yamlFile('port:\n  a: 1\n') }),
      /setting "port" .* must be a single value/,
    );
  });
});

describe('labels and the Arthas listener', () => {
  it('reads labels from a flag, the environment or a mapping, and leaves them unset by default', () => {
    assert.deepEqual(load({ labels: 'zone=a, role=etl' }).labels, { zone: 'a', role: 'etl' });
    assert.deepEqual(load({}, { BOSUN_LABELS: 'tag=x' }).labels, { tag: 'x' });
    assert.deepEqual(load({ config: yamlFile('labels:\n  zone: b\n') }).labels, { zone: 'b' });
    assert.equal(load().labels, undefined);
    rejects(() => load({ labels: 'zone' }), /--labels: "zone" is not name=value, e.g. zone=a/);
    rejects(() => load({ labels: 'a b=1' }), /--labels: "a b" is not a label name/);
  });

  it('has no Arthas listener or console unless asked, and resolves the console directory', () => {
    const plain = load();
    assert.equal(plain.arthasPort, undefined);
    assert.equal(plain.arthasUi, undefined);
    const c = load({ 'arthas-port': '8563', 'arthas-ui': 'arthas-ui/dist' });
    assert.equal(c.arthasPort, 8563);
    assert.equal(c.arthasUi, '/srv/bosun/arthas-ui/dist');
    rejects(() => load({ 'arthas-port': '70000' }), /--arthas-port: "70000" is not a port number/);
  });
});

describe('secrets', () => {
  it('masks the token and the store password', () => {
    const c = load({ token: 'super-secret-token', store: 'postgres://bosun:hunter22@db/bosun' });
    const shown = JSON.stringify(redactConfig(c));
    assert.ok(!shown.includes('super-secret-token'));
    assert.ok(!shown.includes('hunter22'));
    assert.ok(shown.includes('postgres://bosun:***@db/bosun'));
  });
});
