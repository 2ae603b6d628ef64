// Parser for /proc/cpuinfo: the CPU model and the mean current clock. ARM kernels have no "model name";
// their "Model" or "Hardware" line names the board instead.

export interface Cpuinfo {
  model: string;
  /** Mean of the per-CPU "cpu MHz" lines; 0 when the kernel does not report it (most ARM). */
  mhz: number;
}

export function parseCpuinfo(text: string): Cpuinfo {
  let model = '';
  let fallback = '';
  let mhzSum = 0;
  let mhzCount = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim();
    if (key === 'model name' && model === '') model = line.slice(colon + 1).trim();
    else if (key === 'cpu MHz') {
      const mhz = Number(line.slice(colon + 1));
      if (Number.isFinite(mhz)) {
        mhzSum += mhz;
        mhzCount++;
      }
    } else if ((key === 'Model' || key === 'Hardware' || key === 'cpu model') && fallback === '') {
      fallback = line.slice(colon + 1).trim();
    }
  }
  return { model: model || fallback, mhz: mhzCount > 0 ? Math.round(mhzSum / mhzCount) : 0 };
}
