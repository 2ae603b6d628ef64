import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { computeInterfaces, isVirtualInterface, networkTotals } from './interfaces.ts';
import { parseNetDev, type NetDevCounters } from './net-dev.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const counters = (name: string, rx: number, tx: number, errs = 0, drop = 0): NetDevCounters => ({
  name,
  rxBytes: rx,
  rxPackets: 0,
  rxErrs: errs,
  rxDrop: drop,
  txBytes: tx,
  txPackets: 0,
  txErrs: errs,
  txDrop: drop,
});

describe('computeInterfaces', () => {
  it('computes throughput, error and drop rates', () => {
    const [row] = computeInterfaces(
      [counters('eth0', 1000, 500, 1, 2)],
      [counters('eth0', 5000, 2500, 4, 32)],
      2000,
      new Map([['eth0', '10.0.0.5']]),
    );
    assert.deepEqual(row, {
      name: 'eth0',
      download_sec: 2000,
      upload_sec: 1000,
      ipv4: '10.0.0.5',
      rx_bytes: 5000,
      tx_bytes: 2500,
      rx_errors: 4,
      tx_errors: 4,
      rx_drops: 32,
      tx_drops: 32,
      rx_err_rate: 1.5,
      tx_err_rate: 1.5,
      rx_drop_rate: 15,
      tx_drop_rate: 15,
    });
  });

  it('reports zero rates for a new interface, no elapsed time or a counter reset', () => {
    const [fresh] = computeInterfaces([], [counters('eth1', 9, 9, 9, 9)], 1000, new Map());
    assert.equal(fresh?.download_sec, 0);
    assert.equal(fresh?.rx_err_rate, 0);
    assert.equal(fresh?.ipv4, '');
    const [reset] = computeInterfaces(
      [counters('eth1', 90, 90)],
      [counters('eth1', 9, 9)],
      1000,
      new Map(),
    );
    assert.equal(reset?.download_sec, 0);
    const [still] = computeInterfaces(
      [counters('eth1', 0, 0)],
      [counters('eth1', 9, 9)],
      0,
      new Map(),
    );
    assert.equal(still?.upload_sec, 0);
  });

  it('lists real interfaces with traffic first, then idle ones, virtual ones and lo last', () => {
    const cur = parseNetDev(fixture('net-dev-docker.txt'));
    const names = computeInterfaces(cur, cur, 1000, new Map()).map((r) => r.name);
    assert.deepEqual(names, ['ens5', 'eth0', 'wlan0', 'br-0f1e2d', 'docker0', 'veth1a2b3c', 'lo']);
  });
});

describe('networkTotals', () => {
  it('adds real interfaces only', () => {
    const prev = [
      counters('eth0', 0, 0),
      counters('lo', 0, 0),
      counters('docker0', 0, 0),
      counters('ens5', 0, 0),
    ];
    const cur = [
      counters('eth0', 100, 10),
      counters('lo', 999, 999),
      counters('docker0', 50, 50),
      counters('ens5', 1, 2),
    ];
    assert.deepEqual(networkTotals(computeInterfaces(prev, cur, 1000, new Map())), {
      download: 101,
      upload: 12,
    });
  });
});

describe('isVirtualInterface', () => {
  it('recognises container and bridge plumbing', () => {
    for (const n of [
      'veth9f2',
      'docker0',
      'br-12ab',
      'virbr0',
      'cni0',
      'flannel.1',
      'cali123',
      'ifb0',
    ]) {
      assert.equal(isVirtualInterface(n), true, n);
    }
    for (const n of ['eth0', 'ens5', 'enp3s0', 'wlan0', 'bond0', 'lo']) {
      assert.equal(isVirtualInterface(n), false, n);
    }
  });
});
