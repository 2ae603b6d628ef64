import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseNetDev } from './net-dev.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseNetDev', () => {
  it('reads every interface from a captured /proc/net/dev', () => {
    const rows = parseNetDev(fixture('net-dev.txt'));
    assert.deepEqual(
      rows.map((r) => r.name),
      ['lo', 'ifb0', 'ifb1', 'eth0'],
    );
    assert.deepEqual(rows[3], {
      name: 'eth0',
      rxBytes: 337925606,
      rxPackets: 8522,
      rxErrs: 0,
      rxDrop: 0,
      txBytes: 567052,
      txPackets: 5166,
      txErrs: 0,
      txDrop: 0,
    });
  });

  it('reads counters that run into the colon and virtual interfaces', () => {
    const rows = parseNetDev(fixture('net-dev-docker.txt'));
    const eth0 = rows.find((r) => r.name === 'eth0');
    assert.equal(eth0?.rxBytes, 123456789012);
    assert.equal(eth0?.rxErrs, 3);
    assert.equal(eth0?.rxDrop, 4);
    assert.equal(eth0?.txErrs, 1);
    assert.equal(eth0?.txDrop, 2);
    assert.ok(rows.some((r) => r.name === 'veth1a2b3c'));
    assert.equal(rows.length, 7);
  });

  it('skips truncated lines', () => {
    assert.deepEqual(parseNetDev('eth0: 1 2 3\n'), []);
    assert.deepEqual(parseNetDev(''), []);
  });
});
