import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCmdline } from './pid-cmdline.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCmdline', () => {
  it('joins the arguments of a captured /proc/[pid]/cmdline with spaces', () => {
    assert.equal(parseCmdline(fixture('pid-cmdline.bin')), 'sleep 1000');
    assert.equal(parseCmdline(fixture('pid-cmdline-args.bin')), 'node --test src/monitor/');
  });

  it('keeps a rewritten title and returns empty for a kernel thread', () => {
    assert.equal(parseCmdline('sshd: alice@pts/0'), 'sshd: alice@pts/0');
    assert.equal(parseCmdline(''), '');
  });

  it('masks secrets, per argument, so a value with spaces is hidden whole', () => {
    assert.equal(
      parseCmdline('bosun\0serve\0--token\0abcdefgh12345\0--store\0postgres://u:pw@db/x\0'),
      'bosun serve --token *** --store postgres://u:***@db/x',
    );
    assert.equal(parseCmdline('app\0--password\0two words\0'), 'app --password ***');
  });
});
