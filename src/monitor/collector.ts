// The host collector: one unref'd timer reads /proc (sync: procfs reads never block on disk), statfs runs
// async with a timeout, and each tick becomes one Sample (snapshot, raw counters, JSON serialised once).
// The process list and the TCP state table cost the most, so they are read only on demand or seldom.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../clock.ts';
import { computeCpuUsage, type CpuUsage } from './cpu-usage.ts';
import { parseCpuinfo } from './cpuinfo.ts';
import { computeDiskIo } from './disk-io.ts';
import { withDiskTotal } from './disk-total.ts';
import { parseDiskstats, SECTOR_BYTES, type DiskCounters } from './diskstats.ts';
import { createFilesystemReader } from './filesystems.ts';
import { DEFAULT_THRESHOLDS, evaluateHealth, type HealthThresholds } from './health.ts';
import { CPU_HISTORY_LENGTH, createHistory, createRing } from './history.ts';
import { computeInterfaces, networkTotals } from './interfaces.ts';
import { parseLoadavg, type Loadavg } from './loadavg.ts';
import { parseMeminfo, toMemoryFigures } from './meminfo.ts';
import type { Monitor, Sample } from './monitor.ts';
import { parseMounts, type MountEntry } from './mounts.ts';
import { parseNetDev, type NetDevCounters } from './net-dev.ts';
import { emptyTcpStates, tcpStatesOf } from './net-tcp.ts';
import { parseOsRelease } from './os-release.ts';
import { parsePasswd } from './passwd.ts';
import { createProcessLister, detectPageSize, type ProcessList } from './process-list.ts';
import { CPU_MODES, parseProcStat, USER_HZ, type ProcStat } from './proc-stat.ts';
import { round1 } from './round.ts';
import type { HistoryPoint, ProcessesInfo, RawCounters, Snapshot, SystemInfo } from './snapshot.ts';
import { parseSockstat, tcpConnections, udpConnections, type Sockstat } from './sockstat.ts';
import { formatUptime, parseUptime } from './uptime.ts';

/** The pino methods the collector uses; a pino Logger fits. */
export interface MonitorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface MonitorDeps {
  /** Time between ticks. */
  intervalMs: number;
  logger: MonitorLogger;
  /** @default systemClock */
  clock?: Clock;
  /** The agent's version, shown in system.agent. */
  version: string;
  /** Where procfs is; tests point it at a fixture tree. @default '/proc' */
  procRoot?: string;
  /** Where os-release and passwd are; tests point it at fixtures. @default '/etc' */
  etcRoot?: string;
  /** Overrides of DEFAULT_THRESHOLDS. */
  thresholds?: Partial<HealthThresholds>;
  /** How long a statfs may take before its mount is reported as timed out. @default 1000 */
  statfsTimeoutMs?: number;
}

/** After latestWithProcesses(), the list stays on for this long (a dashboard polling the snapshot). */
const PROCESS_LIST_LINGER_MS = 30_000;
/** TCP states, interface addresses and the CPU clock are refreshed every this many ticks. */
const SLOW_EVERY_TICKS = 10;
/** The first sample's rates are measured over this long (or the interval, if shorter). */
const FIRST_SAMPLE_DELAY_MS = 250;
/** Distinct error messages remembered so each is logged once. */
const MAX_REMEMBERED_ERRORS = 200;

interface Reading {
  at: number;
  stat: ProcStat;
  meminfo: Record<string, number>;
  netDev: NetDevCounters[];
  disks: DiskCounters[];
}

export function createMonitor(deps: MonitorDeps): Monitor {
  const { intervalMs, logger } = deps;
  if (!(intervalMs > 0)) {
    throw new Error(`monitor interval must be a positive number of ms, got ${intervalMs}`);
  }
  const clock = deps.clock ?? systemClock;
  const proc = deps.procRoot ?? '/proc';
  const etc = deps.etcRoot ?? '/etc';
  const thresholds: HealthThresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(deps.thresholds ?? {})) {
    if (typeof value === 'number') thresholds[key as keyof HealthThresholds] = value;
  }
  const kernel = os.release();
  const arch = os.machine();
  const filesystems = createFilesystemReader({ timeoutMs: deps.statfsTimeoutMs ?? 1000 });
  const history = createHistory(intervalMs);
  const cpuHistory = createRing<number>(CPU_HISTORY_LENGTH);
  const listeners = new Set<(sample: Sample) => void>();

  // Errors are logged once per distinct message, not every tick.
  const seenErrors = new Set<string>();
  const report = (collector: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    const key = `${collector}: ${message}`;
    if (seenErrors.has(key) || seenErrors.size >= MAX_REMEMBERED_ERRORS) return;
    seenErrors.add(key);
    logger.warn({ err, collector }, `host monitor: ${collector} collection failed (logged once)`);
  };
  const read = (path: string): string => readFileSync(path, 'utf8');

  let users: Map<number, string> | undefined;
  const userName = (uid: number): string => {
    if (!users) {
      try {
        users = parsePasswd(read(`${etc}/passwd`));
      } catch (err) {
        report('users', err);
        users = new Map();
      }
    }
    return users.get(uid) ?? String(uid);
  };
  const lister = createProcessLister({
    procRoot: proc,
    pageSize: detectPageSize(),
    userName,
    minGapMs: Math.min(1000, intervalMs / 2),
  });

  // Collection state.
  let prev: Reading | undefined;
  let seq = 0;
  let ticks = 0;
  let latestSample: Sample | undefined;
  let withProcesses: Sample | undefined;
  let processesWantedUntil = 0;
  let durations: Readonly<Record<string, number>> = Object.freeze({});
  let agentCpu = process.cpuUsage();
  let agentCpuAt = performance.now();

  // Slow-changing figures, refreshed at start or every SLOW_EVERY_TICKS ticks.
  let osName = 'Linux';
  let cpuModel = '';
  let cpuMhz = 0;
  let tcpStates = emptyTcpStates();
  let ipv4 = new Map<string, string>();
  let conntrackPresent = true;
  let mountsText = '';
  let mounts: MountEntry[] = [];

  // Lifecycle.
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let cancelFirstDelay: (() => void) | undefined;

  const wantsProcesses = (): boolean => listeners.size > 0 || clock.now() < processesWantedUntil;

  /** Runs one collector, timing it; a failure is reported and yields the fallback. */
  const timings: Record<string, number> = {};
  const attempt = <T>(collector: string, fn: () => T, fallback: T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } catch (err) {
      report(collector, err);
      return fallback;
    } finally {
      timings[collector] = (timings[collector] ?? 0) + performance.now() - t0;
    }
  };

  const readCounters = (at: number): Reading => ({
    at,
    stat: attempt(
      'cpu',
      () => parseProcStat(read(`${proc}/stat`)),
      prev?.stat ?? parseProcStat(''),
    ),
    meminfo: attempt('memory', () => parseMeminfo(read(`${proc}/meminfo`)), prev?.meminfo ?? {}),
    netDev: attempt('network', () => parseNetDev(read(`${proc}/net/dev`)), prev?.netDev ?? []),
    disks: attempt('disk_io', () => parseDiskstats(read(`${proc}/diskstats`)), prev?.disks ?? []),
  });

  const readStatic = (): void => {
    osName = attempt('system', () => parseOsRelease(read(`${etc}/os-release`)), 'Linux');
    const info = attempt('system', () => parseCpuinfo(read(`${proc}/cpuinfo`)), {
      model: '',
      mhz: 0,
    });
    cpuModel = info.model;
    cpuMhz = info.mhz;
  };

  const readSlow = (): void => {
    tcpStates = attempt(
      'tcp_states',
      () => tcpStatesOf(read(`${proc}/net/tcp`), read(`${proc}/net/tcp6`)),
      tcpStates,
    );
    ipv4 = attempt('network', readIpv4, ipv4);
    cpuMhz = attempt('system', () => parseCpuinfo(read(`${proc}/cpuinfo`)).mhz, cpuMhz);
    if (!conntrackPresent) {
      conntrackPresent = existsSync(`${proc}/sys/net/netfilter/nf_conntrack_count`);
    }
  };

  const readConntrack = (): { count: number; max: number } => {
    if (!conntrackPresent) return { count: 0, max: 0 };
    try {
      const base = `${proc}/sys/net/netfilter/nf_conntrack_`;
      return { count: Number(read(`${base}count`)) || 0, max: Number(read(`${base}max`)) || 0 };
    } catch {
      // No conntrack module loaded: check again only on slow ticks (a failed read costs a thrown error).
      conntrackPresent = false;
      return { count: 0, max: 0 };
    }
  };

  const readMounts = (): MountEntry[] => {
    const text = read(`${proc}/self/mounts`);
    if (text !== mountsText) {
      mountsText = text;
      mounts = parseMounts(text);
    }
    return mounts;
  };

  const collectProcesses = (at: number, stat: ProcStat, memTotal: number): ProcessList =>
    attempt('processes', () => lister.collect(at, stat.bootTimeSeconds, memTotal), {
      total: 0,
      list: [],
    });

  const tick = async (): Promise<void> => {
    const tickStart = performance.now();
    for (const key of Object.keys(timings)) delete timings[key];
    const at = clock.now();
    if (ticks % SLOW_EVERY_TICKS === 0) readSlow();
    ticks++;

    // statfs first, so the thread pool works while procfs is read.
    const fsStart = performance.now();
    const fsRows = filesystems.read(attempt('filesystems', readMounts, mounts));
    const cur = readCounters(at);
    const base = prev ?? cur;
    const elapsedMs = cur.at - base.at;
    const loadavg = attempt<Loadavg>('load', () => parseLoadavg(read(`${proc}/loadavg`)), {
      load1: 0,
      load5: 0,
      load15: 0,
    });
    const sockstat = attempt<Sockstat>(
      'network',
      () => parseSockstat(read(`${proc}/net/sockstat`), read(`${proc}/net/sockstat6`)),
      { tcpInuse: 0, tcpTw: 0, udpInuse: 0, tcp6Inuse: 0, udp6Inuse: 0 },
    );
    const conntrack = attempt('network', readConntrack, { count: 0, max: 0 });
    const uptimeSec = attempt('system', () => parseUptime(read(`${proc}/uptime`)), 0);
    const memory = toMemoryFigures(cur.meminfo);
    const hasProcesses = wantsProcesses();
    const processes: ProcessesInfo = hasProcesses
      ? collectProcesses(at, cur.stat, memory.total)
      : { total: attempt('processes', () => lister.count(), 0), list: [] };

    const fsList = await fsRows.catch((err: unknown) => {
      report('filesystems', err);
      return [];
    });
    timings.filesystems = performance.now() - fsStart;
    if (!running) return; // stopped while statfs was out

    const buildStart = performance.now();
    const cpu: CpuUsage = computeCpuUsage(base.stat, cur.stat);
    cpuHistory.push(cpu.total_percent);
    const interfaces = computeInterfaces(base.netDev, cur.netDev, elapsedMs, ipv4);
    const totals = networkTotals(interfaces);
    const io = computeDiskIo(base.disks, cur.disks, elapsedMs);
    const cores = cur.stat.cpus.length || os.availableParallelism();

    const parts = {
      system: systemInfo(cores, uptimeSec),
      cpu: {
        total_percent: cpu.total_percent,
        avg_percent: cpu.avg_percent,
        max_percent: cpu.max_percent,
        frequency_mhz: cpuMhz,
        per_core: cpu.per_core,
        history: cpuHistory.toArray(),
        modes: cpu.modes,
      },
      memory: {
        total: memory.total,
        used: memory.used,
        available: memory.available,
        percent: memory.total > 0 ? round1((memory.used / memory.total) * 100) : 0,
        swap_total: memory.swapTotal,
        swap_used: memory.swapUsed,
        swap_percent: memory.swapTotal > 0 ? round1((memory.swapUsed / memory.swapTotal) * 100) : 0,
        free: memory.free,
        buffers: memory.buffers,
        cached: memory.cached,
      },
      disk: { filesystems: withDiskTotal(fsList), io },
      network: {
        total_download_sec: totals.download,
        total_upload_sec: totals.upload,
        tcp_connections: tcpConnections(sockstat),
        tcp_states: tcpStates,
        udp_connections: udpConnections(sockstat),
        conntrack_count: conntrack.count,
        conntrack_max: conntrack.max,
        interfaces,
      },
      load: { load1: loadavg.load1, load5: loadavg.load5, load15: loadavg.load15 },
      processes,
    };
    const health = evaluateHealth(parts, thresholds);
    const snapshot: Snapshot = {
      timestamp: new Date(at).toISOString(),
      seq: ++seq,
      ...parts,
      health,
    };
    const sample: Sample = {
      snapshot,
      raw: toRaw(cur, sockstat),
      hasProcesses,
      json: JSON.stringify(snapshot),
      at,
    };

    let diskRead = 0;
    let diskWrite = 0;
    for (const d of io) {
      // dm and md devices sit on top of the physical disks: adding them would count I/O twice.
      if (d.device.startsWith('dm-') || d.device.startsWith('md')) continue;
      diskRead += d.read_bytes_sec;
      diskWrite += d.write_bytes_sec;
    }
    const point: HistoryPoint = {
      t: at / 1000,
      cpu: cpu.total_percent,
      mem: parts.memory.percent,
      swap: parts.memory.swap_percent,
      load1: loadavg.load1,
      net_rx: totals.download,
      net_tx: totals.upload,
      disk_r: diskRead,
      disk_w: diskWrite,
      score: health.score,
    };
    history.push(at, point);
    prev = cur;
    latestSample = sample;
    withProcesses = undefined;
    timings.build = performance.now() - buildStart;
    timings.total = performance.now() - tickStart;
    durations = Object.freeze({ ...timings });

    for (const listener of [...listeners]) {
      try {
        listener(sample);
      } catch (err) {
        report('subscriber', err);
      }
    }
  };

  const systemInfo = (cores: number, uptimeSec: number): SystemInfo => {
    // The agent's own CPU over the interval, all threads (libuv pool, GC, JIT) included.
    const now = performance.now();
    const usage = process.cpuUsage();
    const usedMs = (usage.user - agentCpu.user + usage.system - agentCpu.system) / 1000;
    const cpuPercent = now > agentCpuAt ? round1((usedMs / (now - agentCpuAt)) * 100) : 0;
    agentCpu = usage;
    agentCpuAt = now;
    return {
      hostname: os.hostname(),
      os: osName,
      kernel,
      arch,
      cpu_model: cpuModel,
      cores,
      uptime_seconds: uptimeSec,
      uptime_human: formatUptime(uptimeSec),
      agent: {
        pid: process.pid,
        version: deps.version,
        rss: process.memoryUsage.rss(),
        cpu_percent: cpuPercent,
        uptime_seconds: Math.floor(process.uptime()),
      },
    };
  };

  const runTick = async (): Promise<void> => {
    try {
      await tick();
    } catch (err) {
      report('tick', err);
    }
  };

  const schedule = (delayMs: number): void => {
    timer = setTimeout(onTimer, Math.max(0, delayMs));
    timer.unref(); // the monitor never holds the process open
  };

  function onTimer(): void {
    timer = undefined;
    const started = performance.now();
    inFlight = runTick().finally(() => {
      inFlight = undefined;
      // Keep the cadence: the next tick is due an interval after this one started.
      if (running) schedule(intervalMs - (performance.now() - started));
    });
  }

  return {
    async start() {
      if (running) return;
      running = true;
      readStatic();
      prev = readCounters(clock.now());
      // A short first interval, so the first sample has real rates and exists soon after start.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(FIRST_SAMPLE_DELAY_MS, intervalMs));
        cancelFirstDelay = () => {
          clearTimeout(t);
          resolve();
        };
      });
      cancelFirstDelay = undefined;
      if (!running) return;
      const started = performance.now();
      inFlight = runTick();
      await inFlight;
      inFlight = undefined;
      if (running) schedule(intervalMs - (performance.now() - started));
    },

    async stop() {
      running = false;
      cancelFirstDelay?.();
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },

    latest: () => latestSample,

    latestWithProcesses() {
      processesWantedUntil = clock.now() + PROCESS_LIST_LINGER_MS;
      const s = latestSample;
      if (!s || s.hasProcesses) return s;
      if (withProcesses?.snapshot.seq === s.snapshot.seq) return withProcesses;
      const stat = prev?.stat ?? parseProcStat('');
      const processes = collectProcesses(clock.now(), stat, s.snapshot.memory.total);
      const snapshot: Snapshot = { ...s.snapshot, processes };
      snapshot.health = evaluateHealth(snapshot, thresholds);
      withProcesses = {
        snapshot,
        raw: s.raw,
        hasProcesses: true,
        json: JSON.stringify(snapshot),
        at: s.at,
      };
      return withProcesses;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    history: (sinceMs) => history.since(sinceMs),

    collectorDurations: () => durations,
  };
}

function readIpv4(): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    const v4 = addresses?.find((a) => a.family === 'IPv4');
    if (v4) map.set(name, v4.address);
  }
  return map;
}

/** Raw cumulative counters for /metrics, in node_exporter's units. */
function toRaw(r: Reading, sockstat: Sockstat): RawCounters {
  const cpuSeconds: Record<string, Record<string, number>> = {};
  for (const cpu of r.stat.cpus) {
    const modes: Record<string, number> = {};
    for (let i = 0; i < CPU_MODES.length; i++) {
      modes[CPU_MODES[i] as string] = (cpu.ticks[i] ?? 0) / USER_HZ;
    }
    cpuSeconds[cpu.id] = modes;
  }
  return {
    cpuSeconds,
    meminfo: r.meminfo,
    disks: r.disks.map((d) => ({
      device: d.device,
      readBytes: d.sectorsRead * SECTOR_BYTES,
      writtenBytes: d.sectorsWritten * SECTOR_BYTES,
      readsCompleted: d.readsCompleted,
      writesCompleted: d.writesCompleted,
      ioTimeSeconds: d.ioTicksMs / 1000,
    })),
    interfaces: r.netDev.map((n) => ({
      device: n.name,
      rxBytes: n.rxBytes,
      txBytes: n.txBytes,
      rxPackets: n.rxPackets,
      txPackets: n.txPackets,
      rxErrs: n.rxErrs,
      txErrs: n.txErrs,
      rxDrop: n.rxDrop,
      txDrop: n.txDrop,
    })),
    sockstat: { tcpInuse: sockstat.tcpInuse, tcpTw: sockstat.tcpTw, udpInuse: sockstat.udpInuse },
    bootTimeSeconds: r.stat.bootTimeSeconds,
    procsRunning: r.stat.procsRunning,
    procsBlocked: r.stat.procsBlocked,
    contextSwitches: r.stat.contextSwitches,
    forks: r.stat.forks,
  };
}
