import { countTcpStates, emptyTcpStates } from './net-tcp.ts';
import { readFileSync } from 'node:fs';
const line = readFileSync(new URL('./fixtures/net-tcp-states.txt', import.meta.url), 'utf8').split(
  '\n',
)[3]!;
const text = 'header\n' + Array.from({ length: 1500 }, () => line).join('\n') + '\n';
for (let i = 0; i < 200; i++) countTcpStates(text, emptyTcpStates());
const t0 = performance.now();
for (let i = 0; i < 1000; i++) countTcpStates(text, emptyTcpStates());
console.log(
  'scan 1500 lines ms',
  ((performance.now() - t0) / 1000).toFixed(3),
  countTcpStates(text, emptyTcpStates()).ESTABLISHED,
);
