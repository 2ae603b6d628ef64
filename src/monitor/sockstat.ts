// Parser for /proc/net/sockstat and sockstat6: socket counts without walking the socket tables
// (~0.02 ms, against ~5 ms for scanning /proc/net/tcp even when it is nearly empty).

export interface Sockstat {
  tcpInuse: number;
  tcpTw: number;
  udpInuse: number;
  tcp6Inuse: number;
  udp6Inuse: number;
}

export function parseSockstat(text: string, text6 = ''): Sockstat {
  return {
    tcpInuse: field(text, 'TCP:', 'inuse'),
    tcpTw: field(text, 'TCP:', 'tw'),
    udpInuse: field(text, 'UDP:', 'inuse'),
    tcp6Inuse: field(text6, 'TCP6:', 'inuse'),
    udp6Inuse: field(text6, 'UDP6:', 'inuse'),
  };
}

/** TCP sockets of both families, TIME_WAIT included (the tw count covers IPv4 and IPv6). */
export function tcpConnections(s: Sockstat): number {
  return s.tcpInuse + s.tcp6Inuse + s.tcpTw;
}

export function udpConnections(s: Sockstat): number {
  return s.udpInuse + s.udp6Inuse;
}

function field(text: string, prefix: string, name: string): number {
  let at = 0;
  if (!text.startsWith(prefix)) {
    at = text.indexOf(`\n${prefix}`);
    if (at === -1) return 0;
    at += 1;
  }
  let end = text.indexOf('\n', at);
  if (end === -1) end = text.length;
  const words = text
    .slice(at + prefix.length, end)
    .trim()
    .split(' ');
  const i = words.indexOf(name);
  return i === -1 ? 0 : Number(words[i + 1]) || 0;
}
