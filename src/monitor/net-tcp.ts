// Counts TCP sockets by state from /proc/net/tcp and tcp6. Costly (the kernel walks its hash tables,
// ~5 ms here even when nearly empty), so the collector does it only every few ticks.
//
// The names are vminfo's (decodeTCPState in conncount_linux.go: FIN_WAIT1 and FIN_WAIT2 kept apart),
// plus FIN_WAIT, their sum: vminfo's own dashboard (internal/web/static/js/app.js) draws a FIN_WAIT
// bar that vminfo itself never fills. The sum is an extra key, so the states no longer add up to the
// socket count: FIN_WAIT counts the same sockets as FIN_WAIT1 and FIN_WAIT2.

/** Kernel TCP state numbers (include/net/tcp_states.h) to the names netstat and vminfo use. */
const STATE_NAMES = [
  '',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  // NEW_SYN_RECV: a request socket not yet accepted; netstat shows it as SYN_RECV.
  'SYN_RECV',
];

/** A record with every state at zero, so the shape is the same whatever the host has. */
export function emptyTcpStates(): Record<string, number> {
  const states: Record<string, number> = {};
  for (const name of STATE_NAMES) if (name !== '') states[name] = 0;
  states.FIN_WAIT = 0;
  return states;
}

/** The states of every /proc/net/tcp and tcp6 text given, FIN_WAIT included. */
export function tcpStatesOf(...texts: string[]): Record<string, number> {
  const states = emptyTcpStates();
  for (const text of texts) countTcpStates(text, states);
  states.FIN_WAIT = (states.FIN_WAIT1 ?? 0) + (states.FIN_WAIT2 ?? 0);
  return states;
}

/** Adds the states of one /proc/net/tcp or tcp6 text into `states` (FIN_WAIT is left to tcpStatesOf). */
export function countTcpStates(
  text: string,
  states: Record<string, number>,
): Record<string, number> {
  // Scan without splitting: the state is the 4th field of each line after the header.
  let i = text.indexOf('\n') + 1;
  const n = text.length;
  while (i > 0 && i < n) {
    let field = 0;
    let stateValue = -1;
    while (i < n && text.charCodeAt(i) !== 10) {
      while (i < n && text.charCodeAt(i) === 32) i++;
      if (i >= n || text.charCodeAt(i) === 10) break;
      field++;
      if (field === 4) stateValue = parseInt(text.slice(i, i + 2), 16);
      while (i < n && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 10) i++;
      if (field === 4) break;
    }
    const name = STATE_NAMES[stateValue];
    if (name) states[name] = (states[name] ?? 0) + 1;
    const eol = text.indexOf('\n', i);
    i = eol === -1 ? n : eol + 1;
  }
  return states;
}
