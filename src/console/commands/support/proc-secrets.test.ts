// Which files are process environments, and how their entries are shown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEnvironFile, maskEnviron, maskProcFile } from './proc-secrets.ts';

describe('isEnvironFile', () => {
  it('knows a process, a thread and self, under any mount point of /proc', () => {
    for (const p of [
      '/proc/1/environ',
      '/proc/self/environ',
      '/proc/thread-self/environ',
      '/proc/42/task/43/environ',
      '/host/proc/1/environ',
    ]) {
      assert.equal(isEnvironFile(p), true, p);
    }
    for (const p of [
      '/etc/environment',
      '/proc/1/cmdline',
      '/home/me/environ',
      '/proc/1/environ.bak',
    ]) {
      assert.equal(isEnvironFile(p), false, p);
    }
  });
});

describe('maskEnviron', () => {
  it('puts one entry a line and masks the values of secret-looking names', () => {
    assert.equal(
      maskEnviron('PATH=/bin\0DB_PASSWORD=x\0API_TOKEN=a=b\0EMPTY=\0odd\0'),
      'PATH=/bin\nDB_PASSWORD=***\nAPI_TOKEN=***\nEMPTY=\nodd',
    );
  });

  it('shows an empty environment as nothing', () => {
    assert.equal(maskEnviron(''), '');
  });
});

describe('maskProcFile', () => {
  it('shows a command line as one line with secret values masked', () => {
    const raw =
      'node\0bin/bosun\0serve\0--token\0abcdefgh12345678\0--store\0postgres://u:pw@db/x\0';
    assert.equal(
      maskProcFile('/proc/42/cmdline', raw),
      'node bin/bosun serve --token *** --store postgres://u:***@db/x',
    );
  });

  it('leaves other files as they are', () => {
    assert.equal(maskProcFile('/etc/app.conf', '--token x'), '--token x');
    assert.equal(maskProcFile('/proc/42/status', 'Name:\tnode'), 'Name:\tnode');
  });
});
