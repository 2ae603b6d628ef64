import { createMonitor } from './collector.ts';
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const withProcs = process.argv[2] === 'procs';
const interval = Number(process.argv[3] ?? 100);
const m = createMonitor({ intervalMs: interval, logger: quiet, version: 'x' });
await m.start();
if (withProcs) m.subscribe(() => {});
await new Promise((r) => setTimeout(r, 2000));
const s0 = m.latest()!.snapshot.seq;
const c0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, Number(process.argv[4] ?? 10000)));
const c = process.cpuUsage(c0);
const ticks = m.latest()!.snapshot.seq - s0;
const ms = (c.user + c.system) / 1000;
console.log(
  withProcs ? 'with processes' : 'no processes',
  'interval',
  interval,
  'ticks',
  ticks,
  'cpu ms/tick',
  (ms / ticks).toFixed(2),
  'cpu% of a core at this interval',
  ((ms / (performance.now() - t0)) * 100).toFixed(2),
  '-> at 3 s:',
  ((ms / ticks / 3000) * 100).toFixed(3) + '%',
);
await m.stop();
