// Parser for /proc/loadavg: "0.31 0.32 0.17 1/88 6668".

export interface Loadavg {
  load1: number;
  load5: number;
  load15: number;
}

export function parseLoadavg(text: string): Loadavg {
  const f = text.trim().split(' ');
  return { load1: Number(f[0]) || 0, load5: Number(f[1]) || 0, load15: Number(f[2]) || 0 };
}
