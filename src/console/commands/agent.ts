// `agent`: the agent process as Arthas's jvm command shows the JVM: pid, versions, uptime, CPU time,
// event-loop delay and utilisation (measured over a short window), handles and open descriptors.
import { readdir } from 'node:fs/promises';
import type { CommandSpec } from '../command.ts';
import type { AgentItem } from '../items.ts';
import { createLoopMeter } from './support/event-loop.ts';

/** How long the event loop is watched before answering. */
const SAMPLE_MS = 500;

export const agentCommand: CommandSpec = {
  kind: 'command',
  name: 'agent',
  summary: 'the agent process: pid, versions, uptime, event loop, handles',
  usage: 'agent',
  async run(ctx) {
    const meter = createLoopMeter();
    try {
      if (!(await ctx.sleep(SAMPLE_MS))) return;
      const eventLoop = meter.read();
      const usage = process.resourceUsage();
      const memory = process.memoryUsage();
      const versions: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.versions)) if (v !== undefined) versions[k] = v;
      const item: AgentItem = {
        type: 'agent',
        pid: process.pid,
        ppid: process.ppid,
        nodeId: ctx.deps.nodeId,
        version: ctx.deps.version,
        versions,
        platform: process.platform,
        arch: process.arch,
        execArgv: process.execArgv,
        cwd: process.cwd(),
        startedAt: ctx.deps.startedAt,
        uptimeSec: Math.round((Date.now() - ctx.deps.startedAt) / 1000),
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        cpuUserMs: Math.round(usage.userCPUTime / 1000),
        cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
        eventLoop,
        handles: countHandles(),
        fds: await countFds(),
      };
      ctx.emit(item);
    } finally {
      meter.close();
    }
  },
};

export function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export async function countFds(): Promise<number> {
  try {
    return (await readdir('/proc/self/fd')).length;
  } catch {
    return -1;
  }
}
