// Event-loop delay and utilisation over a window, for `agent` and `dashboard`: a delay histogram made
// per command run (enabled only while the command runs) and ELU since the previous read.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopInfo } from '../../items.ts';

export interface LoopMeter {
  /** Figures since the previous read (or since created); starts a new window. */
  read(): EventLoopInfo;
  close(): void;
}

const NS_PER_MS = 1e6;
/** Node records the whole interval between its timer's wakes, so a resting loop reads as this. */
const RESOLUTION_MS = 10;

export function createLoopMeter(): LoopMeter {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let elu = performance.eventLoopUtilization();
  const round = (n: number): number => Math.round(n * 100) / 100;
  const delay = (ns: number): number => round(Math.max(0, ns / NS_PER_MS - RESOLUTION_MS));
  return {
    read() {
      const now = performance.eventLoopUtilization();
      const used = performance.eventLoopUtilization(now, elu);
      elu = now;
      // Before the first sample the histogram reports NaN mean and a huge min, and the window is
      // too short for a meaningful utilisation: show zeros.
      const has = histogram.count > 0;
      const info: EventLoopInfo = {
        delayMeanMs: has ? delay(histogram.mean) : 0,
        delayP99Ms: has ? delay(histogram.percentile(99)) : 0,
        delayMaxMs: has ? delay(histogram.max) : 0,
        utilization: has ? Math.round(used.utilization * 10_000) / 10_000 : 0,
      };
      histogram.reset();
      return info;
    },
    close() {
      histogram.disable();
    },
  };
}
