import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { countTcpStates, emptyTcpStates } from './net-tcp.ts';

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
