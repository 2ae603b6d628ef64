// In-process events of the jobs domain: run state changes and job definition changes for the native
// event stream and the dashboard, and live output for log followers. Listeners are called
// synchronously and must not throw; slow consumers buffer on their own side, with their own bound.
import type { Run } from '../model/runs.ts';

export type JobsEvent =
  | { type: 'run'; run: Run }
  | { type: 'job'; action: 'created' | 'updated' | 'deleted'; job: { id: string; name: string } };

/** A piece of a run's output: `offset` is how many bytes the run had printed before it. */
export interface OutputEvent {
  runId: string;
  offset: number;
  data: Buffer;
}

export interface JobsEvents {
  publish(event: JobsEvent): void;
  subscribe(listener: (event: JobsEvent) => void): () => void;
  output(event: OutputEvent): void;
  /** Live output of one run. */
  subscribeOutput(runId: string, listener: (event: OutputEvent) => void): () => void;
  /** Listeners now, for tests and metrics. */
  readonly listenerCount: number;
}

export function createJobsEvents(onListenerError: (err: unknown) => void): JobsEvents {
  const listeners = new Set<(event: JobsEvent) => void>();
  const outputListeners = new Map<string, Set<(event: OutputEvent) => void>>();

  const call = <T>(fn: (arg: T) => void, arg: T): void => {
    try {
      fn(arg);
    } catch (err) {
      onListenerError(err);
    }
  };

  return {
    publish: (event) => {
      for (const fn of listeners) call(fn, event);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    output: (event) => {
      for (const fn of outputListeners.get(event.runId) ?? []) call(fn, event);
    },
    subscribeOutput: (runId, listener) => {
      const set = outputListeners.get(runId) ?? new Set();
      set.add(listener);
      outputListeners.set(runId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) outputListeners.delete(runId);
      };
    },
    get listenerCount() {
      let n = listeners.size;
      for (const set of outputListeners.values()) n += set.size;
      return n;
    },
  };
}

/**
 * The run once `until` holds for it, or undefined after `timeoutMs`. Listens before `read` asks the
 * store, so a change in between is not missed. Only this node's changes are heard: a run another
 * node of a cluster starts is seen when the time is up, by reading it once more.
 */
export async function untilRun(
  events: JobsEvents,
  runId: string,
  read: () => Promise<Run>,
  until: (run: Run) => boolean,
  timeoutMs: number,
): Promise<Run | undefined> {
  let off = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  const heard = new Promise<Run | undefined>((resolve) => {
    off = events.subscribe((e) => {
      if (e.type === 'run' && e.run.id === runId && until(e.run)) resolve(e.run);
    });
    timer = setTimeout(resolve, timeoutMs, undefined);
  });
  try {
    const now = await read();
    if (until(now)) return now;
    const run = await heard;
    if (run !== undefined) return run;
    const last = await read();
    return until(last) ? last : undefined;
  } finally {
    off();
    clearTimeout(timer);
  }
}
