// The host snapshot, field for field as vminfo serves it (cloudapp3/vminfo internal/collector/snapshot.go),
// with bosun's additions marked. Numbers are bytes, bytes per second, seconds or percent (0-100).

export interface SystemInfo {
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  cpu_model: string;
  cores: number;
  uptime_seconds: number;
  uptime_human: string;
  /** bosun: the agent's own footprint. */
  agent: { pid: number; version: string; rss: number; cpu_percent: number; uptime_seconds: number };
}

export interface CpuInfo {
  total_percent: number;
  avg_percent: number;
  max_percent: number;
  frequency_mhz: number;
  per_core: number[];
  /** Ring of the last 200 total_percent samples, oldest first. */
  history: number[];
  /** bosun: share of time by mode over the last interval (user, system, iowait, steal, ...). */
  modes: Record<string, number>;
}

export interface MemoryInfo {
  total: number;
  used: number;
  available: number;
  percent: number;
  swap_total: number;
  swap_used: number;
  swap_percent: number;
  /** bosun: from /proc/meminfo. */
  free: number;
  buffers: number;
  cached: number;
}

export interface FilesystemRow {
  mount: string;
  device: string;
  fstype: string;
  total: number;
  used: number;
  percent: number;
  /** bosun: free bytes for unprivileged users, inode figures, read-only flag, statfs error. */
  available: number;
  inodes_total: number;
  inodes_used: number;
  inodes_percent: number;
  readonly: boolean;
  error?: string;
}

export interface DiskIoRow {
  device: string;
  /** Whole bytes per second (a uint64 in vminfo's Go struct, as is iops). */
  read_bytes_sec: number;
  write_bytes_sec: number;
  /** Whole operations per second: reads and writes per second, each truncated, added (as vminfo). */
  iops: number;
  /** bosun: percent of the interval the device was busy. */
  util_percent: number;
}

export interface DiskInfo {
  /**
   * vminfo's total first (mount "/", device "total", fstype "aggregate": disk-total.ts), then every real
   * mount, the root mount first. Empty when no mount could be read.
   */
  filesystems: FilesystemRow[];
  io: DiskIoRow[];
}

export interface InterfaceRow {
  name: string;
  download_sec: number;
  upload_sec: number;
  ipv4: string;
  rx_bytes: number;
  tx_bytes: number;
  rx_errors: number;
  tx_errors: number;
  rx_drops: number;
  tx_drops: number;
  rx_err_rate: number;
  tx_err_rate: number;
  rx_drop_rate: number;
  tx_drop_rate: number;
}

export interface NetworkInfo {
  total_download_sec: number;
  total_upload_sec: number;
  tcp_connections: number;
  /** Sockets per state, vminfo's names (FIN_WAIT1, FIN_WAIT2 …) plus FIN_WAIT, their sum (net-tcp.ts). */
  tcp_states: Record<string, number>;
  udp_connections: number;
  conntrack_count: number;
  conntrack_max: number;
  interfaces: InterfaceRow[];
}

export interface LoadInfo {
  load1: number;
  load5: number;
  load15: number;
}

export interface ProcessRow {
  pid: number;
  ppid: number;
  name: string;
  user: string;
  cpu_percent: number;
  mem_percent: number;
  rss: number;
  status: string;
  command: string;
  threads: number;
  nice: number;
  uptime: number;
  started_at_unix: number;
}

export interface ProcessesInfo {
  /** All processes on the host. */
  total: number;
  list: ProcessRow[];
}

export type WarningLevel = 'warning' | 'critical';

export interface HealthWarning {
  level: WarningLevel;
  code: string;
  message: string;
}

export interface HealthInfo {
  score: number;
  warnings: HealthWarning[];
}

export interface Snapshot {
  timestamp: string;
  /** bosun: increases by one each tick. */
  seq: number;
  system: SystemInfo;
  cpu: CpuInfo;
  memory: MemoryInfo;
  disk: DiskInfo;
  network: NetworkInfo;
  load: LoadInfo;
  processes: ProcessesInfo;
  health: HealthInfo;
}

/**
 * Raw cumulative counters from the same tick, for Prometheus (counters stay raw; rates are
 * Prometheus's job). Not part of the JSON snapshot.
 */
export interface RawCounters {
  /** node_cpu_seconds_total: per cpu ("0", "1", ...) per mode, seconds. */
  cpuSeconds: Record<string, Record<string, number>>;
  meminfo: Record<string, number>;
  disks: Array<{
    device: string;
    readBytes: number;
    writtenBytes: number;
    readsCompleted: number;
    writesCompleted: number;
    ioTimeSeconds: number;
  }>;
  interfaces: Array<{
    device: string;
    rxBytes: number;
    txBytes: number;
    rxPackets: number;
    txPackets: number;
    rxErrs: number;
    txErrs: number;
    rxDrop: number;
    txDrop: number;
  }>;
  sockstat: { tcpInuse: number; tcpTw: number; udpInuse: number };
  bootTimeSeconds: number;
  procsRunning: number;
  procsBlocked: number;
  contextSwitches: number;
  forks: number;
}

/** One history point (1 h of these are kept in memory). */
export interface HistoryPoint {
  /** Unix seconds. */
  t: number;
  cpu: number;
  mem: number;
  swap: number;
  load1: number;
  net_rx: number;
  net_tx: number;
  disk_r: number;
  disk_w: number;
  score: number;
}
