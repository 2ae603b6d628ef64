import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePasswd } from './passwd.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parsePasswd', () => {
  it('maps uids to names and skips comments, blank and broken lines', () => {
    const users = parsePasswd(fixture('passwd.txt'));
    assert.deepEqual(
      [...users],
      [
        [0, 'root'],
        [1, 'daemon'],
        [33, 'www-data'],
        [104, 'postgres'],
        [65534, 'nobody'],
      ],
    );
  });

  it('keeps the first name for a duplicated uid', () => {
    assert.equal(parsePasswd('toor:x:0:0::/:/bin/sh\nroot:x:0:0::/:/bin/sh\n').get(0), 'toor');
  });
});
