// Parser for /proc/meminfo: every field, in bytes where the kernel gives kB (node_exporter's convention),
// as plain counts where it gives no unit (HugePages_*).

export function parseMeminfo(text: string): Record<string, number> {
  const fields: Record<string, number> = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon !== -1 && colon < end) {
      const rest = text.slice(colon + 1, end).trim();
      const kb = rest.endsWith(' kB');
      const value = Number(kb ? rest.slice(0, -3) : rest);
      if (Number.isFinite(value)) fields[text.slice(start, colon)] = kb ? value * 1024 : value;
    }
    start = end + 1;
  }
  return fields;
}

export interface MemoryFigures {
  total: number;
  available: number;
  used: number;
  free: number;
  buffers: number;
  cached: number;
  swapTotal: number;
  swapUsed: number;
}

/**
 * The figures the snapshot shows. `used` is total - available, what is really taken; kernels before 3.14
 * have no MemAvailable, so it is estimated the way free(1) did then.
 */
export function toMemoryFigures(meminfo: Record<string, number>): MemoryFigures {
  const total = meminfo.MemTotal ?? 0;
  const free = meminfo.MemFree ?? 0;
  const buffers = meminfo.Buffers ?? 0;
  const cached = meminfo.Cached ?? 0;
  const available = Math.min(total, meminfo.MemAvailable ?? free + buffers + cached);
  const swapTotal = meminfo.SwapTotal ?? 0;
  const swapUsed = Math.max(0, swapTotal - (meminfo.SwapFree ?? 0));
  return { total, available, used: total - available, free, buffers, cached, swapTotal, swapUsed };
}
