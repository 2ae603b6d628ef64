// The Monitor port: what the rest of the agent sees of host monitoring.
import type { HistoryPoint, ProcessRow, RawCounters, Snapshot } from './snapshot.ts';

/** One tick's result. `json` is the snapshot serialised once, shared by every reader. */
export interface Sample {
  readonly snapshot: Snapshot;
  readonly raw: RawCounters;
  /** Whether snapshot.processes.list was collected in this tick. */
  readonly hasProcesses: boolean;
  /** JSON.stringify(snapshot), computed once. */
  readonly json: string;
  /** Collection time, ms since the epoch. */
  readonly at: number;
}

export interface Monitor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The latest sample, or undefined before the first tick. */
  latest(): Sample | undefined;
  /**
   * The latest sample with a process list: reuses the tick's own when it has one, otherwise collects
   * the list now. Also keeps the process list on for the next ticks for a while (lazy collection).
   */
  latestWithProcesses(): Sample | undefined;
  /** Called with every new sample. While anyone is subscribed the process list is collected each tick. */
  subscribe(listener: (sample: Sample) => void): () => void;
  /** History points newer than `sinceMs` (all if absent), oldest first. */
  history(sinceMs?: number): HistoryPoint[];
  /** How long the last tick took, ms, per collector; for /metrics. */
  collectorDurations(): Readonly<Record<string, number>>;
}

export type { ProcessRow };
