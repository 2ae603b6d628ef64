// Network interface rows from two /proc/net/dev readings: throughput, error and drop rates, sorted the
// way vminfo's dashboard lists them (real interfaces with traffic first, virtual ones and lo last).
import type { NetDevCounters } from './net-dev.ts';
import { round2 } from './round.ts';
import type { InterfaceRow } from './snapshot.ts';

const VIRTUAL_PREFIXES = [
  'veth',
  'docker',
  'br-',
  'virbr',
  'cni',
  'flannel',
  'cali',
  'vxlan',
  'tunl',
  'kube-',
  'weave',
  'ifb',
  'dummy',
];

/** Container and bridge plumbing: its traffic is already counted on the real interface. */
export function isVirtualInterface(name: string): boolean {
  return VIRTUAL_PREFIXES.some((p) => name.startsWith(p));
}

export function computeInterfaces(
  prev: NetDevCounters[],
  cur: NetDevCounters[],
  elapsedMs: number,
  ipv4: ReadonlyMap<string, string>,
): InterfaceRow[] {
  const sec = elapsedMs / 1000;
  const rows = cur.map((c, i): InterfaceRow => {
    const p = prev[i]?.name === c.name ? prev[i] : prev.find((x) => x.name === c.name);
    // No earlier reading (a new interface) or no time passed: rates are 0. Counters that went
    // backwards (driver reset) are clamped to 0 too.
    const rate = (a: number, b: number | undefined) =>
      p && sec > 0 && b !== undefined ? Math.max(0, a - b) / sec : 0;
    return {
      name: c.name,
      download_sec: Math.round(rate(c.rxBytes, p?.rxBytes)),
      upload_sec: Math.round(rate(c.txBytes, p?.txBytes)),
      ipv4: ipv4.get(c.name) ?? '',
      rx_bytes: c.rxBytes,
      tx_bytes: c.txBytes,
      rx_errors: c.rxErrs,
      tx_errors: c.txErrs,
      rx_drops: c.rxDrop,
      tx_drops: c.txDrop,
      rx_err_rate: round2(rate(c.rxErrs, p?.rxErrs)),
      tx_err_rate: round2(rate(c.txErrs, p?.txErrs)),
      rx_drop_rate: round2(rate(c.rxDrop, p?.rxDrop)),
      tx_drop_rate: round2(rate(c.txDrop, p?.txDrop)),
    };
  });
  return rows.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function rank(row: InterfaceRow): number {
  if (row.name === 'lo') return 3;
  if (isVirtualInterface(row.name)) return 2;
  return row.rx_bytes + row.tx_bytes > 0 ? 0 : 1;
}

/** Host throughput: real interfaces only, so loopback and container traffic is not counted twice. */
export function networkTotals(rows: InterfaceRow[]): { download: number; upload: number } {
  let download = 0;
  let upload = 0;
  for (const r of rows) {
    if (r.name === 'lo' || isVirtualInterface(r.name)) continue;
    download += r.download_sec;
    upload += r.upload_sec;
  }
  return { download, upload };
}
