import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseOsRelease } from './os-release.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseOsRelease', () => {
  it('reads PRETTY_NAME from a captured /etc/os-release', () => {
    assert.equal(parseOsRelease(fixture('os-release.txt')), 'Debian GNU/Linux 12 (bookworm)');
  });

  it('unquotes single quotes and escapes', () => {
    assert.equal(parseOsRelease('PRETTY_NAME=\'Alpine \\"edge\\"\'\n'), 'Alpine "edge"');
    assert.equal(parseOsRelease('PRETTY_NAME=Gentoo\n'), 'Gentoo');
  });

  it('falls back to NAME, then to Linux', () => {
    assert.equal(parseOsRelease('NAME="Arch Linux"\nID=arch\n'), 'Arch Linux');
    assert.equal(parseOsRelease(''), 'Linux');
  });
});
