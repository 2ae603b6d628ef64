import { createMonitor } from './collector.ts';
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const m = createMonitor({ intervalMs: 50, logger: quiet, version: 'x' });
await m.start();
const per: Record<string, number[]> = {};
await new Promise<void>((resolve) => {
  let n = 0;
  const off = m.subscribe(() => {});
  off();
  const iv = setInterval(() => {}, 1000);
  const poll = () => {
    const d = m.collectorDurations();
    for (const [k, v] of Object.entries(d)) (per[k] ??= []).push(v);
    if (++n >= 200) {
      clearInterval(iv);
      resolve();
    } else setTimeout(poll, 50);
  };
  poll();
});
const med = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
for (const [k, v] of Object.entries(per)) console.log(k.padEnd(12), med(v).toFixed(3));
await m.stop();
