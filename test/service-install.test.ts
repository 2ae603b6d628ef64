// `bosun service install|uninstall` as an operator runs it: the unit it writes (into a temporary unit
// directory) verifies with `systemd-analyze verify` where systemd is installed, carries the serve
// flags, the user and the token credential, and bad input is refused with a message before anything
// is written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runBosun } from './support/agent.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-service-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tokenFile = path.join(dir, 'token');
writeFileSync(tokenFile, 'a-token-of-thirty-two-characters-x\n', { mode: 0o600 });

const install = (args: string[]) =>
  runBosun(['service', 'install', '--unit-dir', dir, ...args], { env: { BOSUN_CONFIG: '' } });

/** `systemd-analyze verify` on a unit file: its complaints, or undefined where it is not installed. */
function verify(file: string): string | undefined {
  const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  if (result.error !== undefined) return undefined;
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`;
}

describe('bosun service install', () => {
  it('writes a unit that runs this bosun with the serve flags and verifies', async (t) => {
    const { code, stdout, stderr } = await install(['--', '--port', '9000', '--read-only']);
    assert.equal(code, 0, stderr);
    const file = path.join(dir, 'bosun.service');
    assert.match(stdout, new RegExp(`wrote ${file}`));
    const unit = readFileSync(file, 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    const [node, ...rest] = execStart.split(' ');
    // The Node that ran the command (24, the project's), the semi-space tuning, the agent's entry.
    assert.ok(existsSync(node!), node);
    assert.match(spawnSync(node!, ['--version'], { encoding: 'utf8' }).stdout, /^v2[4-9]\./);
    assert.deepEqual(rest.slice(0, 1), ['--max-semi-space-size=16']);
    assert.match(rest[1]!, /\/(src\/main\.ts|dist\/main\.js)$/);
    assert.deepEqual(rest.slice(2), ['serve', '--port', '9000', '--read-only']);
    assert.match(unit, /^Environment=MALLOC_ARENA_MAX=1$/m);
    assert.match(unit, /^DynamicUser=yes$/m);
    const problems = verify(file);
    if (problems === undefined) t.diagnostic('systemd-analyze is missing: not verified');
    else assert.equal(problems, '');
  });

  it('runs as a given user with the token as a credential', async (t) => {
    const user = os.userInfo().username;
    const { code, stderr } = await install([
      '--name',
      'bosun-cred',
      '--user',
      user,
      '--token-file',
      tokenFile,
      '--',
      '--bind',
      '0.0.0.0',
    ]);
    assert.equal(code, 0, stderr);
    const file = path.join(dir, 'bosun-cred.service');
    const unit = readFileSync(file, 'utf8');
    assert.match(unit, new RegExp(`^User=${user}$`, 'm'));
    assert.match(unit, new RegExp(`^LoadCredential=token:${tokenFile}$`, 'm'));
    assert.match(unit, /^Environment=BOSUN_TOKEN_FILE=%d\/token$/m);
    assert.ok(!unit.includes('a-token-of'), 'the token itself is never in the unit');
    const problems = verify(file);
    if (problems === undefined) t.diagnostic('systemd-analyze is missing: not verified');
    // root as the user draws a warning from systemd-analyze, not an error.
    else assert.ok(!/error/i.test(problems), problems);
  });

  it('refuses what would not start or would leak, and writes nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--', '--bind', '0.0.0.0'], /without a token.*--token-file/],
      [['--', '--token', 'abc'], /systemd credential/],
      [['--', '--store', 'postgres://u:pw@db/x'], /password would be readable.*u:\*\*\*@db/],
      [['--', '--data-dir', '/srv'], /StateDirectory/],
      [['--', '--port', 'abc'], /--port: "abc" is not a port/],
      [['--', '--prot', '1'], /--prot is not a flag of bosun serve/],
      [['--user', 'no-such-user-here'], /no user "no-such-user-here".*useradd/],
      [['--token-file', path.join(dir, 'missing')], /cannot read .*missing/],
      [['--name', 'x.service'], /not a unit name/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await install(['--name', 'refused', ...args]);
      assert.notEqual(code, 0, args.join(' '));
      assert.match(stderr, message, args.join(' '));
    }
    assert.ok(!existsSync(path.join(dir, 'refused.service')));
  });
});

describe('bosun service uninstall', () => {
  it('removes the unit it wrote, and says so when there is none', async () => {
    assert.equal((await install(['--name', 'gone'])).code, 0);
    const removed = await runBosun(['service', 'uninstall', '--unit-dir', dir, '--name', 'gone']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!existsSync(path.join(dir, 'gone.service')));
    const again = await runBosun(['service', 'uninstall', '--unit-dir', dir, '--name', 'gone']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /nothing to uninstall/);
  });

  it('leaves a unit it did not write', async () => {
    const foreign = path.join(dir, 'other.service');
    writeFileSync(foreign, '[Service]\nExecStart=/bin/true\n');
    const res = await runBosun(['service', 'uninstall', '--unit-dir', dir, '--name', 'other']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /not written by bosun service install/);
    assert.ok(existsSync(foreign));
  });
});
