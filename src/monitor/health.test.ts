import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_THRESHOLDS, evaluateHealth, healthScore, type HealthInput } from './health.ts';

type Fs = HealthInput['disk']['filesystems'][number];
type Iface = HealthInput['network']['interfaces'][number];

const fs = (mount: string, percent: number, extra: Partial<Fs> = {}): Fs => ({
  mount,
  total: 1000,
  percent,
  inodes_total: 100,
  inodes_percent: 1,
  readonly: false,
  ...extra,
});

const iface = (name: string, err: number, drop: number): Iface => ({
  name,
  rx_err_rate: err,
  tx_err_rate: 0,
  rx_drop_rate: drop,
  tx_drop_rate: 0,
});

/** A quiet host; each test changes one figure. */
const calm = (
  over: Partial<{ [K in keyof HealthInput]: Partial<HealthInput[K]> }> = {},
): HealthInput => ({
  system: { cores: 4, ...over.system },
  cpu: { total_percent: 10, ...over.cpu },
  load: { load1: 0.5, ...over.load },
  memory: { percent: 30, swap_percent: 0, ...over.memory },
  disk: { filesystems: [fs('/', 40)], ...over.disk },
  network: {
    tcp_connections: 10,
    conntrack_count: 0,
    conntrack_max: 0,
    interfaces: [iface('eth0', 0, 0)],
    ...over.network,
  },
  processes: { list: [], ...over.processes },
});

const codes = (input: HealthInput) =>
  evaluateHealth(input).warnings.map((w) => `${w.level}:${w.code}`);

describe('evaluateHealth', () => {
  it('scores a quiet host 100 with no warnings', () => {
    assert.deepEqual(evaluateHealth(calm()), { score: 100, warnings: [] });
  });

  it('cpu_high: warning at 75 %, critical at 90 %, vminfo message', () => {
    assert.deepEqual(codes(calm({ cpu: { total_percent: 74.9 } })), []);
    assert.deepEqual(codes(calm({ cpu: { total_percent: 75 } })), ['warning:cpu_high']);
    const h = evaluateHealth(calm({ cpu: { total_percent: 91.2 } }));
    assert.deepEqual(h.warnings, [
      { level: 'critical', code: 'cpu_high', message: 'CPU usage is 91.2%' },
    ]);
    assert.equal(h.score, 80);
  });

  it('load_high: load1 per core 1.0 warning, 1.5 critical', () => {
    assert.deepEqual(codes(calm({ load: { load1: 3.99 } })), []);
    assert.deepEqual(codes(calm({ load: { load1: 4 } })), ['warning:load_high']);
    const h = evaluateHealth(calm({ load: { load1: 6.5 } }));
    assert.deepEqual(h.warnings, [
      { level: 'critical', code: 'load_high', message: '1m load 6.50 is 1.6x CPU cores' },
    ]);
  });

  it('memory_high: 80 % warning, 90 % critical', () => {
    assert.deepEqual(codes(calm({ memory: { percent: 79.9 } })), []);
    assert.deepEqual(evaluateHealth(calm({ memory: { percent: 80 } })).warnings, [
      { level: 'warning', code: 'memory_high', message: 'memory usage is 80.0%' },
    ]);
    assert.deepEqual(codes(calm({ memory: { percent: 90 } })), ['critical:memory_high']);
  });

  it('swap_high: warning only, at 50 %', () => {
    assert.deepEqual(codes(calm({ memory: { swap_percent: 49.9 } })), []);
    assert.deepEqual(evaluateHealth(calm({ memory: { swap_percent: 99 } })).warnings, [
      { level: 'warning', code: 'swap_high', message: 'swap usage is 99.0%' },
    ]);
  });

  it('disk_high: per mount, 85 % warning, 95 % critical, the mount named unless it is /', () => {
    const h = evaluateHealth(
      calm({ disk: { filesystems: [fs('/', 88.5), fs('/data', 95), fs('/srv', 84.9)] } }),
    );
    assert.deepEqual(h.warnings, [
      { level: 'warning', code: 'disk_high', message: 'disk usage is 88.5%' },
      { level: 'critical', code: 'disk_high', message: 'disk usage on /data is 95.0%' },
    ]);
    assert.equal(h.score, 70);
  });

  it('disk_high checks the mounts, not vminfo’s total row that sums them', () => {
    const total = { ...fs('/', 90), device: 'total', fstype: 'aggregate' };
    assert.deepEqual(codes(calm({ disk: { filesystems: [total, fs('/', 40)] } })), []);
    assert.deepEqual(
      codes(calm({ disk: { filesystems: [total, { ...fs('/', 90), device: '/dev/vda1' }] } })),
      ['warning:disk_high'],
    );
  });

  it('disk_high skips read-only and unmeasured filesystems', () => {
    const filesystems = [
      fs('/', 10),
      fs('/media/cd', 100, { readonly: true }),
      fs('/mnt/nfs', 99, { total: 0 }),
    ];
    assert.deepEqual(codes(calm({ disk: { filesystems } })), []);
  });

  it('inodes_high: per mount, 85 % warning, 95 % critical, skipped without inode figures', () => {
    const filesystems = [
      fs('/', 10, { inodes_percent: 85 }),
      fs('/var', 10, { inodes_percent: 97.26 }),
      fs('/btrfs', 10, { inodes_total: 0, inodes_percent: 100 }),
    ];
    assert.deepEqual(evaluateHealth(calm({ disk: { filesystems } })).warnings, [
      { level: 'warning', code: 'inodes_high', message: 'inode usage is 85.0%' },
      { level: 'critical', code: 'inodes_high', message: 'inode usage on /var is 97.3%' },
    ]);
  });

  it('process_cpu_high: one warning for the first process at 90 % or more', () => {
    const list = [
      { pid: 7, name: 'ffmpeg', command: 'ffmpeg -i x', cpu_percent: 180.5 },
      { pid: 9, name: 'node', command: 'node x', cpu_percent: 95 },
      { pid: 3, name: 'sh', command: 'sh', cpu_percent: 2 },
    ];
    assert.deepEqual(evaluateHealth(calm({ processes: { list } })).warnings, [
      { level: 'warning', code: 'process_cpu_high', message: 'process ffmpeg (7) uses 180.5% CPU' },
    ]);
    assert.deepEqual(
      codes(
        calm({ processes: { list: [{ pid: 1, name: 'a', command: 'a', cpu_percent: 89.9 }] } }),
      ),
      [],
    );
    const unnamed = evaluateHealth(
      calm({ processes: { list: [{ pid: 5, name: '', command: '', cpu_percent: 90 }] } }),
    );
    assert.equal(unnamed.warnings[0]?.message, 'process - (5) uses 90.0% CPU');
  });

  it('network_errors and network_drops: 10 and 100 per second over non-loopback interfaces', () => {
    const interfaces = [iface('eth0', 6, 60), iface('eth1', 4, 40), iface('lo', 1000, 1000)];
    assert.deepEqual(evaluateHealth(calm({ network: { interfaces } })).warnings, [
      { level: 'warning', code: 'network_errors', message: 'network interface errors 10/s' },
      { level: 'critical', code: 'network_drops', message: 'packet drops 100/s' },
    ]);
    assert.deepEqual(codes(calm({ network: { interfaces: [iface('eth0', 9.9, 9.9)] } })), []);
    assert.deepEqual(codes(calm({ network: { interfaces: [iface('eth0', 100, 0)] } })), [
      'critical:network_errors',
    ]);
  });

  it('tcpconn_high: 5000 warning, 20000 critical', () => {
    assert.deepEqual(codes(calm({ network: { tcp_connections: 4999 } })), []);
    assert.deepEqual(evaluateHealth(calm({ network: { tcp_connections: 5000 } })).warnings, [
      { level: 'warning', code: 'tcpconn_high', message: '5000 TCP connections' },
    ]);
    assert.deepEqual(codes(calm({ network: { tcp_connections: 20000 } })), [
      'critical:tcpconn_high',
    ]);
  });

  it('conntrack_high: 85 % warning, 95 % critical, only when a limit is known', () => {
    assert.deepEqual(codes(calm({ network: { conntrack_count: 84, conntrack_max: 100 } })), []);
    assert.deepEqual(
      evaluateHealth(calm({ network: { conntrack_count: 85, conntrack_max: 100 } })).warnings,
      [{ level: 'warning', code: 'conntrack_high', message: 'conntrack 85% full (85/100)' }],
    );
    assert.deepEqual(codes(calm({ network: { conntrack_count: 260000, conntrack_max: 262144 } })), [
      'critical:conntrack_high',
    ]);
    assert.deepEqual(codes(calm({ network: { conntrack_count: 5, conntrack_max: 0 } })), []);
  });

  it('skips the load rule when the core count is unknown', () => {
    assert.deepEqual(codes(calm({ system: { cores: 0 }, load: { load1: 50 } })), []);
  });

  it('takes overridden thresholds', () => {
    const t = { ...DEFAULT_THRESHOLDS, cpuWarningPercent: 10, cpuCriticalPercent: 20 };
    assert.deepEqual(
      evaluateHealth(calm({ cpu: { total_percent: 15 } }), t).warnings.map((w) => w.level),
      ['warning'],
    );
  });

  it('lists warnings in vminfo order and floors the score at 0', () => {
    const h = evaluateHealth(
      calm({
        cpu: { total_percent: 99 },
        load: { load1: 40 },
        memory: { percent: 99, swap_percent: 90 },
        disk: { filesystems: [fs('/', 99), fs('/a', 99)] },
        network: {
          tcp_connections: 30000,
          conntrack_count: 99,
          conntrack_max: 100,
          interfaces: [iface('eth0', 500, 500)],
        },
      }),
    );
    assert.deepEqual(
      h.warnings.map((w) => w.code),
      [
        'cpu_high',
        'load_high',
        'memory_high',
        'swap_high',
        'disk_high',
        'disk_high',
        'network_errors',
        'network_drops',
        'tcpconn_high',
        'conntrack_high',
      ],
    );
    assert.equal(h.score, 0);
  });
});

describe('healthScore', () => {
  it('takes 10 per warning and 20 per critical from 100, floored at 0', () => {
    assert.equal(healthScore([]), 100);
    assert.equal(healthScore([{ level: 'warning' }]), 90);
    assert.equal(healthScore([{ level: 'warning' }, { level: 'critical' }]), 70);
    assert.equal(healthScore(new Array(6).fill({ level: 'critical' })), 0);
  });
});
