// Where an installed agent finds its settings (src/config.ts): --config, else BOSUN_CONFIG, else
// /etc/bosun/bosun.yaml when it exists; an empty BOSUN_CONFIG or --config '' reads no file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../src/config.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-config-default-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
};
const fallback = file('default.yaml', 'port: 9100\n');
const named = file('named.yaml', 'port: 9200\n');
const fromEnv = file('env.yaml', 'port: 9300\n');

const load = (flags: Record<string, string>, env: Record<string, string> = {}, at = fallback) =>
  loadConfig({ flags, env, cwd: dir, defaultConfigFile: at });

describe('the config file', () => {
  it('is /etc/bosun/bosun.yaml unless told otherwise', () => {
    assert.equal(DEFAULT_CONFIG_FILE, '/etc/bosun/bosun.yaml');
  });

  it('is the default file when it exists and nothing names another', () => {
    const c = load({});
    assert.equal(c.configFile, fallback);
    assert.equal(c.port, 9100);
  });

  it('is none when the default file does not exist', () => {
    const c = load({}, {}, path.join(dir, 'missing.yaml'));
    assert.equal(c.configFile, undefined);
    assert.equal(c.port, 8600);
  });

  it('is --config first, then BOSUN_CONFIG, before the default', () => {
    assert.equal(load({ config: named }, { BOSUN_CONFIG: fromEnv }).port, 9200);
    assert.equal(load({}, { BOSUN_CONFIG: fromEnv }).port, 9300);
    assert.equal(load({}, { BOSUN_CONFIG: 'env.yaml' }).configFile, fromEnv);
  });

  it('is none when BOSUN_CONFIG or --config is empty: the default is off', () => {
    assert.equal(load({}, { BOSUN_CONFIG: '' }).configFile, undefined);
    assert.equal(load({ config: '' }, { BOSUN_CONFIG: fromEnv }).configFile, undefined);
  });

  it('still fails clearly when a named file is missing', () => {
    assert.throws(() => load({ config: path.join(dir, 'nope.yaml') }), /nope\.yaml/);
  });
});
