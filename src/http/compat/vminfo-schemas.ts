// vminfo's answer shapes (specs/vminfo.md) as JSON Schemas: the host snapshot and its sections. A field
// that is an integer in vminfo's Go structs (internal/collector/snapshot.go) is an integer here.
// Shared (app.addSchema), so the vminfo reads and the native node snapshot name the same component.
import { bool, int, num, obj, ref, str, type JsonSchema } from '../route-schema.ts';

const bytes = { type: 'integer', description: 'bytes' } as const;

const processRow = {
  $id: 'ProcessRow',
  ...obj({
    pid: int,
    ppid: int,
    name: str,
    user: str,
    cpu_percent: num,
    mem_percent: num,
    rss: bytes,
    status: str,
    command: str,
    threads: int,
    nice: int,
    uptime: { type: 'integer', description: 'seconds' },
    started_at_unix: int,
  }),
};

const system = {
  $id: 'System',
  ...obj({
    hostname: str,
    os: str,
    kernel: str,
    arch: str,
    cpu_model: str,
    cores: int,
    uptime_seconds: int,
    uptime_human: str,
    agent: obj({ pid: int, version: str, rss: bytes, cpu_percent: num, uptime_seconds: num }),
  }),
};

const cpu = {
  $id: 'Cpu',
  ...obj({
    total_percent: num,
    avg_percent: num,
    max_percent: num,
    frequency_mhz: num,
    per_core: { type: 'array', items: num },
    history: { type: 'array', items: num, description: 'the last 200 total_percent values' },
    modes: { type: 'object', additionalProperties: num, description: 'user, system, iowait…' },
  }),
};

const memory = {
  $id: 'Memory',
  ...obj({
    total: bytes,
    used: bytes,
    available: bytes,
    percent: num,
    swap_total: bytes,
    swap_used: bytes,
    swap_percent: num,
    free: bytes,
    buffers: bytes,
    cached: bytes,
  }),
};

const disk = {
  $id: 'Disk',
  ...obj({
    filesystems: {
      type: 'array',
      description:
        'vminfo’s total first (mount "/", device "total", fstype "aggregate", used / total), ' +
        'then every real mount, the root mount first',
      items: obj(
        {
          mount: str,
          device: str,
          fstype: str,
          total: bytes,
          used: bytes,
          percent: num,
          available: bytes,
          inodes_total: int,
          inodes_used: int,
          inodes_percent: num,
          readonly: bool,
          error: { type: 'string', description: 'set when statfs failed or timed out' },
        },
        ['error'],
      ),
    },
    io: {
      type: 'array',
      items: obj({
        device: str,
        read_bytes_sec: int,
        write_bytes_sec: int,
        iops: { type: 'integer', description: 'reads and writes per second, each truncated' },
        util_percent: num,
      }),
    },
  }),
};

const network = {
  $id: 'Network',
  ...obj({
    total_download_sec: int,
    total_upload_sec: int,
    tcp_connections: int,
    tcp_states: {
      type: 'object',
      additionalProperties: int,
      description: 'sockets per state (vminfo’s names), plus FIN_WAIT = FIN_WAIT1 + FIN_WAIT2',
    },
    udp_connections: int,
    conntrack_count: int,
    conntrack_max: int,
    interfaces: {
      type: 'array',
      items: obj({
        name: str,
        download_sec: int,
        upload_sec: int,
        ipv4: str,
        rx_bytes: int,
        tx_bytes: int,
        rx_errors: int,
        tx_errors: int,
        rx_drops: int,
        tx_drops: int,
        rx_err_rate: num,
        tx_err_rate: num,
        rx_drop_rate: num,
        tx_drop_rate: num,
      }),
    },
  }),
};

const health = {
  $id: 'Health',
  ...obj({
    score: { type: 'integer', minimum: 0, maximum: 100 },
    warnings: {
      type: 'array',
      items: obj({ level: { enum: ['warning', 'critical'] }, code: str, message: str }),
    },
  }),
};

const snapshot = {
  $id: 'Snapshot',
  ...obj({
    timestamp: { type: 'string', format: 'date-time' },
    seq: { type: 'integer', description: 'increases by one each sample' },
    system: ref('System'),
    cpu: ref('Cpu'),
    memory: ref('Memory'),
    disk: ref('Disk'),
    network: ref('Network'),
    load: obj({ load1: num, load5: num, load15: num }),
    processes: obj({ total: int, list: { type: 'array', items: ref('ProcessRow') } }),
    health: ref('Health'),
  }),
};

/** The monitoring components, added once at the app's root (every surface may name them). */
export const MONITORING_SCHEMAS: readonly JsonSchema[] = [
  processRow,
  system,
  cpu,
  memory,
  disk,
  network,
  health,
  snapshot,
];

/** The component each section read answers. */
export const SECTION_SCHEMAS = {
  cpu: 'Cpu',
  memory: 'Memory',
  disk: 'Disk',
  network: 'Network',
  system: 'System',
  health: 'Health',
} as const;
