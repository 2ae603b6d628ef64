// Parser for /proc/net/dev: cumulative byte, packet, error and drop counters per interface.

export interface NetDevCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrs: number;
  rxDrop: number;
  txBytes: number;
  txPackets: number;
  txErrs: number;
  txDrop: number;
}

export function parseNetDev(text: string): NetDevCounters[] {
  const rows: NetDevCounters[] = [];
  for (const line of text.split('\n')) {
    // The two header lines have a '|' before any ':'; data lines are "name: counters".
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    if (name === '' || name.includes('|')) continue;
    // Large counters can run into the colon ("eth0:123456"), so split only what follows it.
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (f.length < 12) continue;
    rows.push({
      name,
      rxBytes: Number(f[0]) || 0,
      rxPackets: Number(f[1]) || 0,
      rxErrs: Number(f[2]) || 0,
      rxDrop: Number(f[3]) || 0,
      txBytes: Number(f[8]) || 0,
      txPackets: Number(f[9]) || 0,
      txErrs: Number(f[10]) || 0,
      txDrop: Number(f[11]) || 0,
    });
  }
  return rows;
}
