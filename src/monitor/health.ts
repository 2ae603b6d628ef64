// The health score and warnings, vminfo's rules and messages (internal/collector/snapshot.go) plus
// per-mount disk and inode checks. Score = 100 - 10 per warning - 20 per critical, floored at 0.
import type {
  CpuInfo,
  FilesystemRow,
  HealthInfo,
  HealthWarning,
  InterfaceRow,
  LoadInfo,
  MemoryInfo,
  NetworkInfo,
  ProcessRow,
  SystemInfo,
  WarningLevel,
} from './snapshot.ts';
import { isDiskTotal } from './disk-total.ts';

/** Warning and critical levels; a figure at or above a level raises it. */
export interface HealthThresholds {
  /** Total CPU busy percent. @default 75 / 90 */
  cpuWarningPercent: number;
  cpuCriticalPercent: number;
  /** 1-minute load divided by the CPU count. @default 1.0 / 1.5 */
  loadPerCoreWarning: number;
  loadPerCoreCritical: number;
  /** @default 80 / 90 */
  memoryWarningPercent: number;
  memoryCriticalPercent: number;
  /** @default 50 */
  swapWarningPercent: number;
  /** Per mount. @default 85 / 95 */
  diskWarningPercent: number;
  diskCriticalPercent: number;
  /** Per mount. @default 85 / 95 */
  inodesWarningPercent: number;
  inodesCriticalPercent: number;
  /** One process's CPU percent (100 = one full core). @default 90 */
  processCpuWarningPercent: number;
  /** Errors per second summed over non-loopback interfaces. @default 10 / 100 */
  networkErrorsWarningPerSec: number;
  networkErrorsCriticalPerSec: number;
  /** Drops per second summed over non-loopback interfaces. @default 10 / 100 */
  networkDropsWarningPerSec: number;
  networkDropsCriticalPerSec: number;
  /** @default 5000 / 20000 */
  tcpConnectionsWarning: number;
  tcpConnectionsCritical: number;
  /** conntrack table fill. @default 85 / 95 */
  conntrackWarningPercent: number;
  conntrackCriticalPercent: number;
}

export const DEFAULT_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  cpuWarningPercent: 75,
  cpuCriticalPercent: 90,
  loadPerCoreWarning: 1.0,
  loadPerCoreCritical: 1.5,
  memoryWarningPercent: 80,
  memoryCriticalPercent: 90,
  swapWarningPercent: 50,
  diskWarningPercent: 85,
  diskCriticalPercent: 95,
  inodesWarningPercent: 85,
  inodesCriticalPercent: 95,
  processCpuWarningPercent: 90,
  networkErrorsWarningPerSec: 10,
  networkErrorsCriticalPerSec: 100,
  networkDropsWarningPerSec: 10,
  networkDropsCriticalPerSec: 100,
  tcpConnectionsWarning: 5000,
  tcpConnectionsCritical: 20000,
  conntrackWarningPercent: 85,
  conntrackCriticalPercent: 95,
});

/** The parts of a snapshot the rules read; a Snapshot fits. */
export interface HealthInput {
  system: Pick<SystemInfo, 'cores'>;
  cpu: Pick<CpuInfo, 'total_percent'>;
  load: Pick<LoadInfo, 'load1'>;
  memory: Pick<MemoryInfo, 'percent' | 'swap_percent'>;
  disk: {
    filesystems: ReadonlyArray<
      Pick<
        FilesystemRow,
        'mount' | 'total' | 'percent' | 'inodes_total' | 'inodes_percent' | 'readonly'
      > &
        Partial<Pick<FilesystemRow, 'device' | 'fstype'>>
    >;
  };
  network: Pick<NetworkInfo, 'tcp_connections' | 'conntrack_count' | 'conntrack_max'> & {
    interfaces: ReadonlyArray<
      Pick<InterfaceRow, 'name' | 'rx_err_rate' | 'tx_err_rate' | 'rx_drop_rate' | 'tx_drop_rate'>
    >;
  };
  processes: { list: ReadonlyArray<Pick<ProcessRow, 'pid' | 'name' | 'command' | 'cpu_percent'>> };
}

export function evaluateHealth(
  s: HealthInput,
  t: HealthThresholds = DEFAULT_THRESHOLDS,
): HealthInfo {
  const warnings: HealthWarning[] = [];
  const add = (level: WarningLevel, code: string, message: string) =>
    warnings.push({ level, code, message });
  /** Adds a warning when value reaches a level; critical first. */
  const check = (
    code: string,
    value: number,
    warning: number,
    critical: number,
    message: () => string,
  ) => {
    if (value >= critical) add('critical', code, message());
    else if (value >= warning) add('warning', code, message());
  };

  const cpu = s.cpu.total_percent;
  check(
    'cpu_high',
    cpu,
    t.cpuWarningPercent,
    t.cpuCriticalPercent,
    () => `CPU usage is ${cpu.toFixed(1)}%`,
  );

  if (s.system.cores > 0) {
    const ratio = s.load.load1 / s.system.cores;
    check('load_high', ratio, t.loadPerCoreWarning, t.loadPerCoreCritical, () => {
      return `1m load ${s.load.load1.toFixed(2)} is ${ratio.toFixed(1)}x CPU cores`;
    });
  }

  const mem = s.memory.percent;
  check(
    'memory_high',
    mem,
    t.memoryWarningPercent,
    t.memoryCriticalPercent,
    () => `memory usage is ${mem.toFixed(1)}%`,
  );

  const swap = s.memory.swap_percent;
  if (swap >= t.swapWarningPercent) {
    add('warning', 'swap_high', `swap usage is ${swap.toFixed(1)}%`);
  }

  for (const fs of s.disk.filesystems) {
    // The total (vminfo's filesystems[0]) sums the mounts checked here; checking it too would warn twice.
    if (isDiskTotal(fs)) continue;
    // A read-only filesystem (an image, a recovery mount) is full by design and cannot fill further.
    if (fs.readonly || fs.total <= 0) continue;
    const where = fs.mount === '/' ? '' : ` on ${fs.mount}`;
    check('disk_high', fs.percent, t.diskWarningPercent, t.diskCriticalPercent, () => {
      return `disk usage${where} is ${fs.percent.toFixed(1)}%`;
    });
    if (fs.inodes_total > 0) {
      check(
        'inodes_high',
        fs.inodes_percent,
        t.inodesWarningPercent,
        t.inodesCriticalPercent,
        () => {
          return `inode usage${where} is ${fs.inodes_percent.toFixed(1)}%`;
        },
      );
    }
  }

  // Like vminfo: one warning for the busiest process, not one per process.
  const busiest = s.processes.list.find((p) => p.cpu_percent >= t.processCpuWarningPercent);
  if (busiest) {
    const name = busiest.name || busiest.command || '-';
    add(
      'warning',
      'process_cpu_high',
      `process ${name} (${busiest.pid}) uses ${busiest.cpu_percent.toFixed(1)}% CPU`,
    );
  }

  let errors = 0;
  let drops = 0;
  for (const i of s.network.interfaces) {
    if (i.name === 'lo') continue;
    errors += i.rx_err_rate + i.tx_err_rate;
    drops += i.rx_drop_rate + i.tx_drop_rate;
  }
  check(
    'network_errors',
    errors,
    t.networkErrorsWarningPerSec,
    t.networkErrorsCriticalPerSec,
    () => {
      return `network interface errors ${errors.toFixed(0)}/s`;
    },
  );
  check('network_drops', drops, t.networkDropsWarningPerSec, t.networkDropsCriticalPerSec, () => {
    return `packet drops ${drops.toFixed(0)}/s`;
  });

  const tcp = s.network.tcp_connections;
  check(
    'tcpconn_high',
    tcp,
    t.tcpConnectionsWarning,
    t.tcpConnectionsCritical,
    () => `${tcp} TCP connections`,
  );

  const { conntrack_count: count, conntrack_max: max } = s.network;
  if (max > 0) {
    const pct = (count / max) * 100;
    check('conntrack_high', pct, t.conntrackWarningPercent, t.conntrackCriticalPercent, () => {
      return `conntrack ${pct.toFixed(0)}% full (${count}/${max})`;
    });
  }

  return { score: healthScore(warnings), warnings };
}

export function healthScore(warnings: ReadonlyArray<Pick<HealthWarning, 'level'>>): number {
  let score = 100;
  for (const w of warnings) score -= w.level === 'critical' ? 20 : 10;
  return Math.max(0, score);
}
