// SeaTunnel's system-monitoring-information (v1 under /hazelcast/rest/maps/, v2 unprefixed): one object
// per cluster member, every value a string in Hazelcast's HealthMonitor format ("16.0G", "23.54%",
// "110ms"). The agent's V8 heap and GC stand for the JVM's. Only figures bosun really measures are
// listed: Hazelcast internals (event queues, operations, proxies) have no counterpart and are left out.
// The members and the master are the cluster membership's: live nodes only (cluster/membership.ts).
import type { FastifyInstance } from 'fastify';
import { masterOf, type Membership } from '../../cluster/membership.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import type { RuntimeStatsSource } from '../../monitor/runtime-stats.ts';
import type { Snapshot } from '../../monitor/snapshot.ts';
import { MONITORING_INFORMATION } from './seatunnel-schemas.ts';

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** Hazelcast's MemoryUnit-style figure: the largest 1024 power below the number, one decimal. */
export function numberToUnit(n: number): string {
  for (let i = 6; i > 0; i--) {
    const step = 1024 ** i;
    if (n > step) return `${(n / step).toFixed(1)}${UNITS[i]}`;
  }
  return String(Math.round(n));
}

export const percent = (part: number, whole: number): string =>
  `${(whole > 0 ? (100 * part) / whole : 0).toFixed(2)}%`;

export interface MemberContext {
  isMaster: boolean;
  host: string;
  port: string;
}

/** Figures every member has in its stored host sample. */
export function hostFigures(snapshot: Snapshot, member: MemberContext): Record<string, string> {
  const m = snapshot.memory;
  return {
    isMaster: String(member.isMaster),
    host: member.host,
    port: member.port,
    processors: String(snapshot.system.cores),
    'physical.memory.total': numberToUnit(m.total),
    'physical.memory.free': numberToUnit(m.available),
    'swap.space.total': numberToUnit(m.swap_total),
    'swap.space.free': numberToUnit(m.swap_total - m.swap_used),
    'load.process': `${snapshot.system.agent.cpu_percent.toFixed(2)}%`,
    'load.system': `${snapshot.cpu.total_percent.toFixed(2)}%`,
    'load.systemAverage': snapshot.load.load1.toFixed(2),
  };
}

export function registerSeatunnelMonitoring(
  app: FastifyInstance,
  deps: {
    monitor: Monitor;
    membership: Membership;
    runtime: RuntimeStatsSource;
    nodeId: string;
    /** host and port this agent listens on. */
    self: () => { host: string; port: number };
    /** database clock minus local clock, ms, as last measured. */
    clockSkewMs: () => number;
    openConnections: () => number;
  },
): void {
  const handler = async () => {
    const nodes = await deps.membership.members();
    // This node answers, so it is always listed, and it leads while the store shows no live member
    // (before it has registered).
    const master = masterOf(nodes)?.id ?? deps.nodeId;
    const members: Record<string, string>[] = [];
    const sample = deps.monitor.latest();
    const self = deps.self();
    if (sample) {
      const r = deps.runtime.read();
      members.push({
        ...hostFigures(sample.snapshot, {
          isMaster: master === deps.nodeId,
          host: self.host,
          port: String(self.port),
        }),
        'heap.memory.used': numberToUnit(r.heapUsed),
        'heap.memory.free': numberToUnit(r.heapTotal - r.heapUsed),
        'heap.memory.total': numberToUnit(r.heapTotal),
        'heap.memory.max': numberToUnit(r.heapMax),
        'heap.memory.used/total': percent(r.heapUsed, r.heapTotal),
        'heap.memory.used/max': percent(r.heapUsed, r.heapMax),
        'minor.gc.count': String(r.minorGcCount),
        'minor.gc.time': `${Math.round(r.minorGcMs)}ms`,
        'major.gc.count': String(r.majorGcCount),
        'major.gc.time': `${Math.round(r.majorGcMs)}ms`,
        'thread.count': String(r.threads),
        'thread.peakCount': String(r.threadsPeak),
        'cluster.timeDiff': String(Math.round(deps.clockSkewMs())),
        'connection.count': String(deps.openConnections()),
      });
    }
    // Other live members: what their latest stored sample tells.
    for (const node of nodes) {
      if (node.id === deps.nodeId || !node.alive || node.sampleJson === undefined) continue;
      const [host = node.address, port = ''] = splitAddress(node.address);
      members.push(
        hostFigures(JSON.parse(node.sampleJson) as Snapshot, {
          isMaster: master === node.id,
          host,
          port,
        }),
      );
    }
    return members;
  };
  const schema = MONITORING_INFORMATION;
  app.get('/hazelcast/rest/maps/system-monitoring-information', { schema }, handler);
  app.get('/system-monitoring-information', { schema }, handler);
}

function splitAddress(address: string): [string, string] {
  const i = address.lastIndexOf(':');
  return i === -1 ? [address, ''] : [address.slice(0, i), address.slice(i + 1)];
}
