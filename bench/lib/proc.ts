// One process's CPU and memory from /proc, the way the peers were measured (monitoring-peers.md
// §4.1): CPU = Δ(utime+stime) / CLK_TCK / wall time; RSS = VmRSS sampled every few seconds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readPidStat } from '../../src/proc/pid-stat.ts';
import { median } from './table.ts';

const CLK_TCK = clockTicks();
const KIB = 1024;
const MIB = 1024 * 1024;

export interface Footprint {
  /** % of one core over the window. */
  cpuPercent: number;
  /** VmRSS, bytes. */
  rssMax: number;
  rssMedian: number;
  /** From smaps_rollup (median of the samples), bytes: Pss shares the node binary's pages out. */
  pss: number;
  pssAnon: number;
  samples: number;
  seconds: number;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime, in clock ticks; throws when the process is gone. */
export function cpuTicks(pid: number): number {
  const stat = readPidStat(pid);
  if (stat === undefined) throw new Error(`process ${pid} is gone: no /proc/${pid}/stat`);
  return stat.cpuTicks;
}

/** The pids of the live children of `pid`; none when it is gone (or without CONFIG_PROC_CHILDREN). */
export function liveChildren(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(' ').map(Number);
  } catch {
    return [];
  }
}

/** cpuTicks of the live children of `pid` (the agent's spawn helper), not of what they ran. */
export function childrenCpuTicks(pid: number): number {
  let ticks = 0;
  for (const child of liveChildren(pid)) {
    try {
      ticks += cpuTicks(child);
    } catch {
      // exited meanwhile
    }
  }
  return ticks;
}

/**
 * Ticks CPU `cpu` was stolen by the hypervisor (the 8th value of its /proc/stat line). On a shared
 * VM steal is the noise that a benchmark cannot see otherwise: a run with much of it is suspect.
 */
export function stealTicks(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  return line ? Number(line.trim().split(/\s+/)[8]) : NaN;
}

export function ticksToSeconds(ticks: number): number {
  return ticks / CLK_TCK;
}

/** Reads `Key:   123 kB` lines of a /proc file into bytes. */
function kbFields(file: string, keys: readonly string[]): Record<string, number> {
  const text = readFileSync(file, 'utf8');
  const out: Record<string, number> = {};
  for (const key of keys) {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    out[key] = m ? Number(m[1]) * KIB : NaN;
  }
  return out;
}

export function memory(pid: number): { rss: number; pss: number; pssAnon: number } {
  const { VmRSS } = kbFields(`/proc/${pid}/status`, ['VmRSS']);
  const { Pss, Pss_Anon } = kbFields(`/proc/${pid}/smaps_rollup`, ['Pss', 'Pss_Anon']);
  return { rss: VmRSS ?? NaN, pss: Pss ?? NaN, pssAnon: Pss_Anon ?? NaN };
}

/**
 * Measures `pid` for `windowS` seconds, sampling memory every `sampleS` seconds. The reads are made
 * by this process, so they are not charged to the measured one.
 */
export async function measure(pid: number, windowS: number, sampleS: number): Promise<Footprint> {
  const rss: number[] = [];
  const pss: number[] = [];
  const anon: number[] = [];
  const take = () => {
    const m = memory(pid);
    rss.push(m.rss);
    pss.push(m.pss);
    anon.push(m.pssAnon);
  };
  const t0 = performance.now();
  const ticks0 = cpuTicks(pid);
  take();
  const end = t0 + windowS * 1000;
  for (let next = t0 + sampleS * 1000; next < end; next += sampleS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, next - performance.now()));
    take();
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - performance.now())));
  const ticks1 = cpuTicks(pid);
  const seconds = (performance.now() - t0) / 1000;
  take();
  return {
    cpuPercent: (ticksToSeconds(ticks1 - ticks0) / seconds) * 100,
    rssMax: Math.max(...rss),
    rssMedian: median(rss),
    pss: median(pss),
    pssAnon: median(anon),
    samples: rss.length,
    seconds,
  };
}

export function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

export { MIB };
