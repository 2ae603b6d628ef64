// GET /metrics in Prometheus exposition. Host series use node_exporter's names and labels so existing
// Grafana dashboards and alert rules work unchanged; the agent's own series are prefixed bosun_.
// Values are read from the latest tick at scrape time: a scrape never touches /proc itself. The
// operator series (runs, pipelines, store…) are src/metrics/'s.
import { readdirSync } from 'node:fs';
import { Counter, Gauge, Registry } from 'prom-client';
import type { OperatorMetrics } from '../metrics/operator-metrics.ts';
import { registerOperatorSeries } from '../metrics/operator-series.ts';
import { mountRows } from '../monitor/disk-total.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { RuntimeStatsSource } from '../monitor/runtime-stats.ts';
import type { RawCounters, Snapshot } from '../monitor/snapshot.ts';

interface MetricsDeps {
  monitor: Monitor;
  version: string;
  nodeId: string;
  wsClients: () => number;
  runtime: RuntimeStatsSource;
  /** Runs, schedules, webhooks, pipelines, console, store and cluster (src/metrics/), when recorded. */
  operator?: OperatorMetrics;
}

export function createMetricsRegistry(deps: MetricsDeps): Registry {
  const registry = new Registry();

  const latest = (): { snapshot: Snapshot; raw: RawCounters } | undefined => deps.monitor.latest();

  type Fill<L extends string> = (
    set: (labels: Record<L, string>, value: number) => void,
    s: { snapshot: Snapshot; raw: RawCounters },
  ) => void;

  /**
   * A series mirrored from the latest sample at each scrape. Counters mirror the kernel's own
   * cumulative counters, so they are reset and set to the kernel's value rather than incremented.
   */
  const mirror =
    (type: 'gauge' | 'counter') =>
    <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: Fill<L>,
    ): void => {
      const Metric = type === 'gauge' ? Gauge : Counter;
      new Metric({
        name,
        help,
        labelNames,
        registers: [registry],
        collect(this: Gauge<L> | Counter<L>) {
          this.reset();
          const s = latest();
          if (!s) return;
          fill((labels, value) => {
            if (this instanceof Gauge) this.set(labels, value);
            else this.inc(labels, Math.max(value, 0));
          }, s);
        },
      });
    };
  const gauge = mirror('gauge');
  const counter = mirror('counter');

  const none = [] as const;
  const one = (value: number) => (set: (l: Record<never, string>, v: number) => void) =>
    set({}, value);

  counter(
    'node_cpu_seconds_total',
    'Seconds the CPUs spent in each mode.',
    ['cpu', 'mode'],
    (set, { raw }) => {
      for (const [cpu, modes] of Object.entries(raw.cpuSeconds)) {
        for (const [mode, seconds] of Object.entries(modes)) set({ cpu, mode }, seconds);
      }
    },
  );
  gauge('node_load1', '1m load average.', none, (set, { snapshot }) =>
    one(snapshot.load.load1)(set),
  );
  gauge('node_load5', '5m load average.', none, (set, { snapshot }) =>
    one(snapshot.load.load5)(set),
  );
  gauge('node_load15', '15m load average.', none, (set, { snapshot }) =>
    one(snapshot.load.load15)(set),
  );

  // node_exporter's meminfo collector: one gauge per /proc/meminfo field, in bytes.
  const meminfoGauges = new Map<string, Gauge>();
  const meminfoName = (field: string) =>
    `node_memory_${field.replace(/\((\w+)\)/, '_$1').replace(/[^a-zA-Z0-9_]/g, '_')}_bytes`;
  const first = latest();
  for (const field of Object.keys(first?.raw.meminfo ?? DEFAULT_MEMINFO_FIELDS)) {
    const name = meminfoName(field);
    if (meminfoGauges.has(name)) continue;
    meminfoGauges.set(
      name,
      new Gauge({
        name,
        help: `Memory information field ${field}_bytes.`,
        registers: [registry],
        collect() {
          const value = latest()?.raw.meminfo[field];
          if (value !== undefined) this.set(value);
        },
      }),
    );
  }

  const fsLabels = ['device', 'fstype', 'mountpoint'] as const;
  const eachFs =
    (pick: (fs: Snapshot['disk']['filesystems'][number]) => number) =>
    (
      set: (l: Record<(typeof fsLabels)[number], string>, v: number) => void,
      { snapshot }: { snapshot: Snapshot },
    ) => {
      // The mounts only: vminfo's total row (disk-total.ts) is no filesystem of node_exporter's.
      for (const fs of mountRows(snapshot.disk.filesystems)) {
        set({ device: fs.device, fstype: fs.fstype, mountpoint: fs.mount }, pick(fs));
      }
    };
  gauge(
    'node_filesystem_size_bytes',
    'Filesystem size in bytes.',
    fsLabels,
    eachFs((fs) => fs.total),
  );
  gauge(
    'node_filesystem_avail_bytes',
    'Filesystem space available to non-root users in bytes.',
    fsLabels,
    eachFs((fs) => fs.available),
  );
  gauge(
    'node_filesystem_free_bytes',
    'Filesystem free space in bytes.',
    fsLabels,
    eachFs((fs) => fs.total - fs.used),
  );
  gauge(
    'node_filesystem_files',
    'Filesystem total file nodes.',
    fsLabels,
    eachFs((fs) => fs.inodes_total),
  );
  gauge(
    'node_filesystem_files_free',
    'Filesystem total free file nodes.',
    fsLabels,
    eachFs((fs) => fs.inodes_total - fs.inodes_used),
  );
  gauge(
    'node_filesystem_readonly',
    'Filesystem read-only status.',
    fsLabels,
    eachFs((fs) => (fs.readonly ? 1 : 0)),
  );
  gauge(
    'node_filesystem_device_error',
    'Whether an error occurred while getting statistics for the given device.',
    fsLabels,
    eachFs((fs) => (fs.error ? 1 : 0)),
  );

  const eachDisk =
    (pick: (d: RawCounters['disks'][number]) => number) =>
    (set: (l: Record<'device', string>, v: number) => void, { raw }: { raw: RawCounters }) => {
      for (const d of raw.disks) set({ device: d.device }, pick(d));
    };
  counter(
    'node_disk_read_bytes_total',
    'The total number of bytes read successfully.',
    ['device'],
    eachDisk((d) => d.readBytes),
  );
  counter(
    'node_disk_written_bytes_total',
    'The total number of bytes written successfully.',
    ['device'],
    eachDisk((d) => d.writtenBytes),
  );
  counter(
    'node_disk_reads_completed_total',
    'The total number of reads completed successfully.',
    ['device'],
    eachDisk((d) => d.readsCompleted),
  );
  counter(
    'node_disk_writes_completed_total',
    'The total number of writes completed successfully.',
    ['device'],
    eachDisk((d) => d.writesCompleted),
  );
  counter(
    'node_disk_io_time_seconds_total',
    'Total seconds spent doing I/Os.',
    ['device'],
    eachDisk((d) => d.ioTimeSeconds),
  );

  const eachIf =
    (pick: (i: RawCounters['interfaces'][number]) => number) =>
    (set: (l: Record<'device', string>, v: number) => void, { raw }: { raw: RawCounters }) => {
      for (const i of raw.interfaces) set({ device: i.device }, pick(i));
    };
  counter(
    'node_network_receive_bytes_total',
    'Network device statistic receive_bytes.',
    ['device'],
    eachIf((i) => i.rxBytes),
  );
  counter(
    'node_network_transmit_bytes_total',
    'Network device statistic transmit_bytes.',
    ['device'],
    eachIf((i) => i.txBytes),
  );
  counter(
    'node_network_receive_packets_total',
    'Network device statistic receive_packets.',
    ['device'],
    eachIf((i) => i.rxPackets),
  );
  counter(
    'node_network_transmit_packets_total',
    'Network device statistic transmit_packets.',
    ['device'],
    eachIf((i) => i.txPackets),
  );
  counter(
    'node_network_receive_errs_total',
    'Network device statistic receive_errs.',
    ['device'],
    eachIf((i) => i.rxErrs),
  );
  counter(
    'node_network_transmit_errs_total',
    'Network device statistic transmit_errs.',
    ['device'],
    eachIf((i) => i.txErrs),
  );
  counter(
    'node_network_receive_drop_total',
    'Network device statistic receive_drop.',
    ['device'],
    eachIf((i) => i.rxDrop),
  );
  counter(
    'node_network_transmit_drop_total',
    'Network device statistic transmit_drop.',
    ['device'],
    eachIf((i) => i.txDrop),
  );

  gauge('node_sockstat_TCP_inuse', 'Number of TCP sockets in state inuse.', none, (set, { raw }) =>
    set({}, raw.sockstat.tcpInuse),
  );
  gauge('node_sockstat_TCP_tw', 'Number of TCP sockets in state tw.', none, (set, { raw }) =>
    set({}, raw.sockstat.tcpTw),
  );
  gauge('node_sockstat_UDP_inuse', 'Number of UDP sockets in state inuse.', none, (set, { raw }) =>
    set({}, raw.sockstat.udpInuse),
  );
  gauge(
    'node_nf_conntrack_entries',
    'Number of currently allocated flow entries for connection tracking.',
    none,
    (set, { snapshot }) => set({}, snapshot.network.conntrack_count),
  );
  gauge(
    'node_nf_conntrack_entries_limit',
    'Maximum size of connection tracking table.',
    none,
    (set, { snapshot }) => set({}, snapshot.network.conntrack_max),
  );
  gauge('node_boot_time_seconds', 'Node boot time, in unixtime.', none, (set, { raw }) =>
    set({}, raw.bootTimeSeconds),
  );
  gauge('node_procs_running', 'Number of processes in runnable state.', none, (set, { raw }) =>
    set({}, raw.procsRunning),
  );
  gauge(
    'node_procs_blocked',
    'Number of processes blocked waiting for I/O to complete.',
    none,
    (set, { raw }) => set({}, raw.procsBlocked),
  );
  counter(
    'node_context_switches_total',
    'Total number of context switches.',
    none,
    (set, { raw }) => set({}, raw.contextSwitches),
  );
  counter('node_forks_total', 'Total number of forks.', none, (set, { raw }) => set({}, raw.forks));
  gauge(
    'node_uname_info',
    'Labeled system information as provided by the uname system call.',
    ['sysname', 'release', 'machine', 'nodename'],
    (set, { snapshot }) =>
      set(
        {
          sysname: 'Linux',
          release: snapshot.system.kernel,
          machine: snapshot.system.arch,
          nodename: snapshot.system.hostname,
        },
        1,
      ),
  );

  gauge(
    'bosun_health_score',
    'Host health score, 0-100 (vminfo rules).',
    none,
    (set, { snapshot }) => set({}, snapshot.health.score),
  );
  gauge(
    'bosun_health_warning',
    'Active health warnings (1 per warning).',
    ['code', 'level'],
    (set, { snapshot }) => {
      for (const w of snapshot.health.warnings) set({ code: w.code, level: w.level }, 1);
    },
  );
  gauge(
    'bosun_collector_duration_seconds',
    'Duration of the last collection, per collector.',
    ['collector'],
    (set) => {
      for (const [collector, ms] of Object.entries(deps.monitor.collectorDurations())) {
        set({ collector }, ms / 1000);
      }
    },
  );
  gauge('bosun_sample_timestamp_seconds', 'When the latest host sample was taken.', none, (set) => {
    const s = deps.monitor.latest();
    if (s) set({}, s.at / 1000);
  });
  new Gauge({
    name: 'bosun_ws_clients',
    help: 'Connected /ws clients.',
    registers: [registry],
    collect() {
      this.set(deps.wsClients());
    },
  });
  new Gauge({
    name: 'bosun_build_info',
    help: 'bosun build information.',
    labelNames: ['version', 'node_id'],
    registers: [registry],
  }).set({ version: deps.version, node_id: deps.nodeId }, 1);
  registerAgentMetrics(registry, deps.runtime);
  if (deps.operator !== undefined) registerOperatorSeries(registry, deps.operator);
  return registry;
}

/**
 * The agent's own process figures, under bosun_. Written here rather than with prom-client's
 * collectDefaultMetrics, whose nodejs_active_*_total gauges fail promtool's lint and whose
 * event-loop histogram and GC observer would run all the time for figures runtime-stats already has.
 */
function registerAgentMetrics(registry: Registry, runtime: RuntimeStatsSource): void {
  const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());
  const simple = (
    name: string,
    help: string,
    read: () => number,
    type: 'gauge' | 'counter' = 'gauge',
  ) => {
    if (type === 'gauge') {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    } else {
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    }
  };
  simple(
    'bosun_process_cpu_seconds_total',
    'Total user and system CPU time spent by the agent, in seconds.',
    () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1e6;
    },
    'counter',
  );
  simple('bosun_process_resident_memory_bytes', 'Resident memory size of the agent in bytes.', () =>
    process.memoryUsage.rss(),
  );
  simple(
    'bosun_process_start_time_seconds',
    'Start time of the agent since the Unix epoch, in seconds.',
    () => startTimeSeconds,
  );
  simple('bosun_process_open_fds', 'Number of open file descriptors of the agent.', () => {
    try {
      return readdirSync('/proc/self/fd').length;
    } catch {
      return 0;
    }
  });
  simple(
    'bosun_process_threads',
    'Number of OS threads of the agent.',
    () => runtime.read().threads,
  );
  simple(
    'bosun_nodejs_heap_used_bytes',
    'V8 heap in use, in bytes.',
    () => runtime.read().heapUsed,
  );
  simple(
    'bosun_nodejs_heap_total_bytes',
    'V8 heap reserved, in bytes.',
    () => runtime.read().heapTotal,
  );
  simple(
    'bosun_nodejs_heap_limit_bytes',
    'V8 heap size limit, in bytes.',
    () => runtime.read().heapMax,
  );
  new Counter({
    name: 'bosun_nodejs_gc_duration_seconds_total',
    help: 'Time the agent spent in garbage collection, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const r = runtime.read();
      this.reset();
      this.inc({ kind: 'minor' }, r.minorGcMs / 1000);
      this.inc({ kind: 'major' }, r.majorGcMs / 1000);
    },
  });
}

/** The meminfo fields node_exporter dashboards use, for when no sample exists yet at start. */
const DEFAULT_MEMINFO_FIELDS = {
  MemTotal: 0,
  MemFree: 0,
  MemAvailable: 0,
  Buffers: 0,
  Cached: 0,
  SwapTotal: 0,
  SwapFree: 0,
};
