// The agent's own runtime figures (V8 heap, GC, threads, event loop): what a JVM's health monitor
// reports, measured on this Node process. Used by SeaTunnel's system-monitoring-information and /metrics.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import v8 from 'node:v8';

export interface RuntimeStats {
  heapUsed: number;
  heapTotal: number;
  heapMax: number;
  minorGcCount: number;
  minorGcMs: number;
  majorGcCount: number;
  majorGcMs: number;
  threads: number;
  threadsPeak: number;
  /** Share of time the event loop was busy since the previous call, 0-1. */
  eventLoopUtilization: number;
}

export interface RuntimeStatsSource {
  read(): RuntimeStats;
  close(): void;
}

export function createRuntimeStats(): RuntimeStatsSource {
  const gc = { minorCount: 0, minorMs: 0, majorCount: 0, majorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      // Scavenges are V8's young-generation ("minor") collections; everything else is a major one.
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minorCount += 1;
        gc.minorMs += entry.duration;
      } else {
        gc.majorCount += 1;
        gc.majorMs += entry.duration;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let threadsPeak = 0;
  let lastElu = performance.eventLoopUtilization();

  return {
    read() {
      const heap = v8.getHeapStatistics();
      const threads = readThreads();
      threadsPeak = Math.max(threadsPeak, threads);
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      return {
        heapUsed: heap.used_heap_size,
        heapTotal: heap.total_heap_size,
        heapMax: heap.heap_size_limit,
        minorGcCount: gc.minorCount,
        minorGcMs: gc.minorMs,
        majorGcCount: gc.majorCount,
        majorGcMs: gc.majorMs,
        threads,
        threadsPeak,
        eventLoopUtilization: elu.utilization,
      };
    },
    close() {
      observer.disconnect();
    },
  };
}

function readThreads(): number {
  try {
    const m = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
