import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { countTcpStates, emptyTcpStates, tcpStatesOf } from './net-tcp.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('countTcpStates', () => {
  it('counts the listener of a captured /proc/net/tcp and an empty tcp6', () => {
    const states = countTcpStates(fixture('net-tcp.txt'), emptyTcpStates());
    countTcpStates(fixture('net-tcp6.txt'), states);
    assert.equal(states.LISTEN, 1);
    assert.equal(
      Object.values(states).reduce((a, b) => a + b, 0),
      1,
    );
  });

  it('counts every state over both families', () => {
    const states = countTcpStates(fixture('net-tcp-states.txt'), emptyTcpStates());
    countTcpStates(fixture('net-tcp6-states.txt'), states);
    assert.deepEqual(states, {
      ESTABLISHED: 3,
      SYN_SENT: 0,
      SYN_RECV: 1,
      FIN_WAIT1: 0,
      FIN_WAIT2: 0,
      TIME_WAIT: 1,
      CLOSE: 0,
      CLOSE_WAIT: 1,
      LAST_ACK: 0,
      LISTEN: 3,
      CLOSING: 0,
      FIN_WAIT: 0,
    });
  });

  it('ignores a header-only or empty text and a missing trailing newline', () => {
    assert.deepEqual(countTcpStates('', emptyTcpStates()), emptyTcpStates());
    const states = countTcpStates(
      '  sl  local_address\n   0: 0100007F:1F90 0100007F:C350 01 00000000:00000000',
      emptyTcpStates(),
    );
    assert.equal(states.ESTABLISHED, 1);
  });
});

// Lines of /proc/net/tcp in the kernel's layout, one per state code (the 4th field).
const line = (sl: number, state: string) =>
  `  ${sl}: 0100007F:1F90 0100007F:${(50000 + sl).toString(16).toUpperCase()} ${state} ` +
  '00000000:00000000 00:00000000 00000000  1000        0 0 1 0000000000000000 20 4 30 10 -1';
const table = (...states: string[]) =>
  [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  ]
    .concat(states.map((st, i) => line(i, st)))
    .join('\n') + '\n';

describe('tcpStatesOf', () => {
  it('keeps FIN_WAIT1 and FIN_WAIT2 apart as vminfo does and adds FIN_WAIT, their sum, which its dashboard reads', () => {
    const states = tcpStatesOf(table('04', '04', '05', '01'), table('05', '0A', '06'));
    assert.equal(states.FIN_WAIT1, 2);
    assert.equal(states.FIN_WAIT2, 2);
    assert.equal(states.FIN_WAIT, 4);
    assert.equal(states.ESTABLISHED, 1);
    assert.equal(states.LISTEN, 1);
    assert.equal(states.TIME_WAIT, 1);
  });

  it('has every state, FIN_WAIT included, at zero when there are no sockets', () => {
    assert.deepEqual(tcpStatesOf('', ''), emptyTcpStates());
    assert.equal(emptyTcpStates().FIN_WAIT, 0);
    assert.deepEqual(
      Object.keys(tcpStatesOf(table('01'))).sort(),
      Object.keys(emptyTcpStates()).sort(),
    );
  });
});
