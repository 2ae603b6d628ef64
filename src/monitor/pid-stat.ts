// Parser for /proc/[pid]/stat. The command name sits in parentheses and may itself hold spaces and
// parentheses, so the fields are counted from the last ')'.

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

const PF_KTHREAD = 0x00200000;

export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return undefined;
  // Fields after the name, from field 3 (state): [0] state, [1] ppid, [6] flags, [11] utime,
  // [12] stime, [16] nice, [17] num_threads, [19] starttime, [21] rss.
  const f = text.slice(close + 2).split(' ');
  if (f.length < 22) return undefined;
  return {
    pid: Number(text.slice(0, open - 1)),
    name: text.slice(open + 1, close),
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
