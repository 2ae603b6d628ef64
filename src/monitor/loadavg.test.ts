import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseLoadavg } from './loadavg.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseLoadavg', () => {
  it('reads the three averages from a captured /proc/loadavg', () => {
    assert.deepEqual(parseLoadavg(fixture('loadavg.txt')), {
      load1: 0.31,
      load5: 0.32,
      load15: 0.17,
    });
  });

  it('reads zeros from garbage', () => {
    assert.deepEqual(parseLoadavg(''), { load1: 0, load5: 0, load15: 0 });
  });
});
