// The one parser of /proc/[pid]/stat, for the monitor's process list, the thread dump, the runner's
// process-group checks and the benchmarks. The command name sits in parentheses and may itself hold
// spaces and parentheses, so the fields are counted from the last ')'.
import { readFileSync } from 'node:fs';

/** What the monitor shows of a process. */
export interface PidStat {
  pid: number;
  name: string;
  /** One letter: R, S, D, Z, T, t, X, I ... */
  state: string;
  ppid: number;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
  nice: number;
  threads: number;
  /** Start time after boot, in USER_HZ ticks. */
  startTicks: number;
  rssPages: number;
  /** Kernel threads (PF_KTHREAD) have no command line and no memory of their own. */
  kernelThread: boolean;
}

/** What the runner (process groups, restart recovery) and the benchmarks read of a live process. */
export interface PidStatBrief {
  state: string;
  /** Process group id. */
  pgrp: number;
  startTicks: number;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
  /** cutime + cstime: what the children it waited for used, in USER_HZ ticks. */
  reapedCpuTicks: number;
}

const PF_KTHREAD = 0x00200000;

/**
 * The pid, the name and the fields after the name, from field 3 (state) on: [0] state, [1] ppid,
 * [2] pgrp, [6] flags, [11] utime, [12] stime, [13] cutime, [14] cstime, [16] nice, [17] num_threads,
 * [19] starttime, [21] rss.
 */
function splitPidStat(text: string): { pid: number; name: string; f: string[] } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  const f = text.slice(close + 2).split(' ');
  if (f.length < 22) return undefined;
  return { pid: Number(text.slice(0, open - 1)), name: text.slice(open + 1, close), f };
}

export function parsePidStat(text: string): PidStat | undefined {
  const split = splitPidStat(text);
  if (split === undefined) return undefined;
  const { pid, name, f } = split;
  return {
    pid,
    name,
    state: f[0] ?? '',
    ppid: Number(f[1]) || 0,
    cpuTicks: (Number(f[11]) || 0) + (Number(f[12]) || 0),
    nice: Number(f[16]) || 0,
    threads: Number(f[17]) || 0,
    startTicks: Number(f[19]) || 0,
    rssPages: Number(f[21]) || 0,
    kernelThread: ((Number(f[6]) || 0) & PF_KTHREAD) !== 0,
  };
}

export function parsePidStatBrief(text: string): PidStatBrief | undefined {
  const f = splitPidStat(text)?.f;
  if (f === undefined) return undefined;
  return {
    state: f[0] ?? '',
    pgrp: Number(f[2]) || 0,
    startTicks: Number(f[19]) || 0,
    cpuTicks: (Number(f[11]) || 0) + (Number(f[12]) || 0),
    reapedCpuTicks: (Number(f[13]) || 0) + (Number(f[14]) || 0),
  };
}

/** Reads /proc/<pid>/stat; undefined when the process is gone (or never was). */
export function readPidStat(pid: number | string): PidStatBrief | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // Exited between readdir and read.
  }
  return parsePidStatBrief(text);
}
