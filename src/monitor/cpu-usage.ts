// CPU usage over an interval from two /proc/stat readings: busy share in total and per CPU (idle and
// iowait count as not busy, as in vminfo and top), and the share of each mode.
import { CPU_MODES, type CpuTicks, type ProcStat } from './proc-stat.ts';
import { round1 } from './round.ts';

const IDLE = CPU_MODES.indexOf('idle');
const IOWAIT = CPU_MODES.indexOf('iowait');

export interface CpuUsage {
  total_percent: number;
  avg_percent: number;
  max_percent: number;
  per_core: number[];
  modes: Record<string, number>;
}

/** Busy percent between two readings of one CPU line; 0 when no tick passed. */
export function busyPercent(prev: CpuTicks, cur: CpuTicks): number {
  let total = 0;
  let idle = 0;
  for (let i = 0; i < CPU_MODES.length; i++) {
    // A CPU that went offline and back restarts its counters; clamp so it reads 0, not negative.
    const d = Math.max(0, (cur.ticks[i] ?? 0) - (prev.ticks[i] ?? 0));
    total += d;
    if (i === IDLE || i === IOWAIT) idle += d;
  }
  return total > 0 ? round1(((total - idle) / total) * 100) : 0;
}

export function computeCpuUsage(prev: ProcStat, cur: ProcStat): CpuUsage {
  const perCore = new Array<number>(cur.cpus.length);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < cur.cpus.length; i++) {
    const c = cur.cpus[i] as CpuTicks;
    // CPUs are listed in order; look up by id only when hotplug changed the list.
    const p = prev.cpus[i]?.id === c.id ? prev.cpus[i] : prev.cpus.find((x) => x.id === c.id);
    const pct = p ? busyPercent(p, c) : 0;
    perCore[i] = pct;
    sum += pct;
    if (pct > max) max = pct;
  }

  const deltas = CPU_MODES.map((_, i) =>
    Math.max(0, (cur.total.ticks[i] ?? 0) - (prev.total.ticks[i] ?? 0)),
  );
  const ticks = deltas.reduce((a, b) => a + b, 0);
  const modes: Record<string, number> = {};
  CPU_MODES.forEach((mode, i) => {
    modes[mode] = ticks > 0 ? round1(((deltas[i] ?? 0) / ticks) * 100) : 0;
  });

  return {
    total_percent: busyPercent(prev.total, cur.total),
    avg_percent: perCore.length > 0 ? round1(sum / perCore.length) : 0,
    max_percent: max,
    per_core: perCore,
    modes,
  };
}
