import { createMonitor } from './collector.ts';
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const m = createMonitor({ intervalMs: 100, logger: quiet, version: 'x' });
await m.start();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function measure(label: string, n: number) {
  const totals: number[] = [];
  const slow: number[] = [];
  const procs: number[] = [];
  let seen = 0;
  const off = m.subscribe(() => {});
  off(); // only used for the with-processes phase below
  const c0 = process.cpuUsage();
  const startSeq = m.latest()!.snapshot.seq;
  let lastSeq = startSeq;
  while (seen < n) {
    await wait(20);
    const s = m.latest()!;
    if (s.snapshot.seq !== lastSeq) {
      lastSeq = s.snapshot.seq;
      seen++;
      const d = m.collectorDurations();
      if (d.tcp_states !== undefined) slow.push(d.total!);
      else totals.push(d.total!);
      if (d.processes !== undefined) procs.push(d.processes);
    }
  }
  const c = process.cpuUsage(c0);
  const ticks = lastSeq - startSeq;
  const med = (a: number[]) => {
    const s = [...a].sort((x, y) => x - y);
    return s[Math.floor(s.length / 2)] ?? NaN;
  };
  console.log(label, {
    ticks,
    cpuMsPerTickProcess: ((c.user + c.system) / 1000 / ticks).toFixed(2),
    medianTickMs: med(totals).toFixed(2),
    medianSlowTickMs: med(slow).toFixed(2),
    medianProcessesMs: med(procs).toFixed(3),
    sampleBytes: m.latest()!.json.length,
  });
}
await wait(1000);
await measure('no processes', 100);
const off = m.subscribe(() => {});
await wait(500);
await measure('with processes', 100);
off();
await m.stop();
