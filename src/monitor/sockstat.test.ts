import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSockstat, tcpConnections, udpConnections } from './sockstat.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseSockstat', () => {
  it('reads the counts from captured sockstat and sockstat6', () => {
    assert.deepEqual(parseSockstat(fixture('sockstat.txt'), fixture('sockstat6.txt')), {
      tcpInuse: 1,
      tcpTw: 0,
      udpInuse: 0,
      tcp6Inuse: 0,
      udp6Inuse: 0,
    });
  });

  it('adds both families and TIME_WAIT into the connection counts', () => {
    const s = parseSockstat(
      'sockets: used 900\nTCP: inuse 120 orphan 2 tw 35 alloc 130 mem 40\nUDP: inuse 7 mem 3\n',
      'TCP6: inuse 14\nUDP6: inuse 4\nUDPLITE6: inuse 0\n',
    );
    assert.deepEqual(s, { tcpInuse: 120, tcpTw: 35, udpInuse: 7, tcp6Inuse: 14, udp6Inuse: 4 });
    assert.equal(tcpConnections(s), 169);
    assert.equal(udpConnections(s), 11);
  });

  it('does not mistake UDPLITE for UDP and reads zero when a line is missing', () => {
    const s = parseSockstat('UDPLITE: inuse 9\n', '');
    assert.deepEqual(s, { tcpInuse: 0, tcpTw: 0, udpInuse: 0, tcp6Inuse: 0, udp6Inuse: 0 });
  });
});
