// Parser for /proc/stat: cumulative CPU ticks per mode (total and per CPU) and the kernel counters
// node_exporter publishes (context switches, boot time, forks, running/blocked processes).

/** The modes node_exporter reports; guest time is left out because the kernel already adds it to user. */
export const CPU_MODES = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
] as const;
export type CpuMode = (typeof CPU_MODES)[number];

/** /proc/stat counts in USER_HZ, which the kernel fixes at 100 for user space on every mainstream arch. */
export const USER_HZ = 100;

export interface CpuTicks {
  /** "cpu" for the total line, "0", "1", ... for each CPU. */
  id: string;
  /** Cumulative ticks, indexed like CPU_MODES. */
  ticks: number[];
}

export interface ProcStat {
  total: CpuTicks;
  cpus: CpuTicks[];
  contextSwitches: number;
  bootTimeSeconds: number;
  forks: number;
  procsRunning: number;
  procsBlocked: number;
}

export function parseProcStat(text: string): ProcStat {
  const result: ProcStat = {
    total: { id: 'cpu', ticks: new Array<number>(CPU_MODES.length).fill(0) },
    cpus: [],
    contextSwitches: 0,
    bootTimeSeconds: 0,
    forks: 0,
    procsRunning: 0,
    procsBlocked: 0,
  };
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    // Look at the key before splitting: the intr and softirq lines are long and not needed.
    const space = text.indexOf(' ', start);
    const key = space !== -1 && space < end ? text.slice(start, space) : text.slice(start, end);
    if (key.startsWith('cpu')) {
      const cpu = parseCpuLine(key, text.slice(space + 1, end));
      if (cpu.id === 'cpu') result.total = cpu;
      else result.cpus.push(cpu);
    } else if (
      key === 'ctxt' ||
      key === 'btime' ||
      key === 'processes' ||
      key === 'procs_running' ||
      key === 'procs_blocked'
    ) {
      const value = Number(text.slice(space + 1, end).trim()) || 0;
      if (key === 'ctxt') result.contextSwitches = value;
      else if (key === 'btime') result.bootTimeSeconds = value;
      else if (key === 'processes') result.forks = value;
      else if (key === 'procs_running') result.procsRunning = value;
      else result.procsBlocked = value;
    }
    start = end + 1;
  }
  return result;
}

function parseCpuLine(key: string, rest: string): CpuTicks {
  const fields = rest.trim().split(/\s+/);
  const ticks = new Array<number>(CPU_MODES.length);
  // Old kernels have fewer columns (no steal before 2.6.11); missing ones count as zero.
  for (let i = 0; i < CPU_MODES.length; i++) ticks[i] = Number(fields[i]) || 0;
  return { id: key === 'cpu' ? 'cpu' : key.slice(3), ticks };
}
