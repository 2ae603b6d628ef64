// `perfcounter [-d]`: the agent's performance counters, as Arthas lists a JVM's: Node.js's startup
// milestones, event-loop utilisation, resource usage, V8 heap counters and GC counts. `-d` adds each
// counter's units and variability.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { CommandSpec } from '../command.ts';
import type { PerfCounter, PerfcounterItem } from '../items.ts';
import type { ConsoleState } from './support/console-state.ts';

type Units = 'Ticks' | 'Bytes' | 'Events' | 'None' | 'String' | 'Milliseconds' | 'Microseconds';
type Variability = 'Constant' | 'Monotonic' | 'Variable';

export function createPerfcounterCommand(state: ConsoleState): CommandSpec {
  return {
    kind: 'command',
    name: 'perfcounter',
    summary: "the agent's performance counters (startup, event loop, rusage, V8 heap, GC)",
    usage: 'perfcounter [-d]',
    optionHelp: ['-d, --details  add units and variability'],
    options: { details: { type: 'boolean', short: 'd' } },
    async run(ctx, { values }) {
      const details = values.details === true;
      const counters = readCounters(state);
      const item: PerfcounterItem = {
        type: 'perfcounter',
        perfCounters: counters.map(([name, units, variability, value]) =>
          details ? { name, units, variability, value } : { name, value },
        ),
      };
      ctx.emit(item);
    },
  };
}

export function readCounters(
  state: ConsoleState,
): Array<[PerfCounter['name'], Units, Variability, string | number]> {
  const out: Array<[string, Units, Variability, string | number]> = [];
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  const timing = performance.nodeTiming;
  for (const key of [
    'nodeStart',
    'v8Start',
    'environment',
    'bootstrapComplete',
    'loopStart',
  ] as const) {
    out.push([`node.timing.${key}`, 'Milliseconds', 'Constant', round(timing[key])]);
  }
  out.push(['node.timing.idleTime', 'Milliseconds', 'Monotonic', round(timing.idleTime)]);
  const elu = performance.eventLoopUtilization();
  out.push(['node.eventLoop.idle', 'Milliseconds', 'Monotonic', round(elu.idle)]);
  out.push(['node.eventLoop.active', 'Milliseconds', 'Monotonic', round(elu.active)]);
  out.push(['node.eventLoop.utilization', 'None', 'Variable', round(elu.utilization)]);
  const usage = process.resourceUsage();
  const rusage: ReadonlyArray<readonly [keyof NodeJS.ResourceUsage, Units, Variability]> = [
    ['userCPUTime', 'Microseconds', 'Monotonic'],
    ['systemCPUTime', 'Microseconds', 'Monotonic'],
    ['maxRSS', 'Bytes', 'Variable'],
    ['minorPageFault', 'Events', 'Monotonic'],
    ['majorPageFault', 'Events', 'Monotonic'],
    ['fsRead', 'Events', 'Monotonic'],
    ['fsWrite', 'Events', 'Monotonic'],
    ['voluntaryContextSwitches', 'Events', 'Monotonic'],
    ['involuntaryContextSwitches', 'Events', 'Monotonic'],
  ];
  for (const [key, units, variability] of rusage) {
    // maxRSS is in KiB.
    const value = key === 'maxRSS' ? usage.maxRSS * 1024 : usage[key];
    out.push([`node.rusage.${key}`, units, variability, value]);
  }
  const heap = v8.getHeapStatistics() as unknown as Record<string, number>;
  for (const [key, value] of Object.entries(heap)) {
    const units: Units = key.startsWith('number_of') || key.startsWith('does') ? 'None' : 'Bytes';
    out.push([`v8.heap.${key}`, units, 'Variable', value]);
  }
  for (const gc of state.gc.read()) {
    out.push([`v8.gc.${gc.name}.count`, 'Events', 'Monotonic', gc.collectionCount]);
    out.push([`v8.gc.${gc.name}.time`, 'Milliseconds', 'Monotonic', gc.collectionTime]);
  }
  out.push(['node.version', 'String', 'Constant', process.version]);
  return out;
}
