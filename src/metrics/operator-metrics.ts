// What an operator alerts on, counted while the agent runs: runs started and finished, run duration and
// schedule lag, retries, webhook deliveries, pipeline rows and bytes, store round trips. Fed by the
// jobs events, the notifier, the store's guard and the runner's progress writes; read by /metrics
// (operator-series.ts). Figures that are a state rather than a count (queued and running runs, console
// sessions, cluster nodes) are read at scrape time instead, so they cannot drift.
import { createMembership, type MemberStatus } from '../cluster/membership.ts';
import { AgentError } from '../errors.ts';
import type { JobsEvents } from '../jobs/events.ts';
import { FINAL_STATES, type Run } from '../model/runs.ts';
import type { Store } from '../store/store.ts';
import { createJobLabels, OTHER_JOBS } from './job-label.ts';
import {
  createCounterFamily,
  createHistogramFamily,
  type CounterFamily,
  type HistogramFamily,
} from './recorder.ts';

/** Distinct `job` label values before the rest is counted under `other`. */
export const DEFAULT_MAX_JOB_LABELS = 100;
/** Queued runs counted at most per scrape: the gauge then reads "this many or more". */
export const QUEUED_COUNT_LIMIT = 1000;
/** Run ids remembered to count each start, end and retry once however often a run is published. */
const SEEN_RUNS = 4096;

export const RUN_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
export const SCHEDULE_LAG_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 300];
export const STORE_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

export type WebhookResult = 'delivered' | 'failed' | 'given_up';

/** The agent's parts the metrics hear from (events) and read at scrape time (the rest). */
export interface LiveSources {
  events: JobsEvents;
  store: Store;
  nodeId: string;
  heartbeatMs: number;
  /** The console's sessions (console-service.ts), each with its number of console jobs. */
  sessions(): ReadonlyArray<{ jobs: number }>;
}

export interface LiveFigures {
  /** Queued runs in the store (every node's, at most QUEUED_COUNT_LIMIT); undefined when unreadable. */
  queued?: number;
  /** Runs this node runs now, per the store. */
  running?: number;
  nodes?: Readonly<Record<MemberStatus, number>>;
  consoleSessions: number;
  consoleJobs: number;
  /** Per job label: seconds since the newest checkpoint of its oldest-checkpointed running pipeline. */
  checkpointAgeSeconds: ReadonlyMap<string, number>;
  /** Per job label: rows and bytes of the pipeline runs still going (added to the finished totals). */
  pipelineLive: ReadonlyMap<string, PipelineFigures>;
}

export interface PipelineFigures {
  sourceRows: number;
  sourceBytes: number;
  sinkRows: number;
  sinkBytes: number;
}

export interface OperatorMetrics {
  readonly runsStarted: CounterFamily;
  readonly runsFinished: CounterFamily;
  readonly runRetries: CounterFamily;
  readonly runDuration: HistogramFamily;
  readonly scheduleLag: HistogramFamily;
  readonly webhookDeliveries: CounterFamily;
  readonly webhookFailures: CounterFamily;
  readonly webhooksGivenUp: CounterFamily;
  readonly pipelineFinished: ReadonlyMap<string, PipelineFigures>;
  readonly pipelineCheckpoints: CounterFamily;
  readonly storeDuration: HistogramFamily;
  readonly storeErrors: CounterFamily;
  /** For the store's options: each operation's round trip, and its error if it failed. */
  storeOperation(op: string, seconds: number, error?: unknown): void;
  /** For the notifier: the outcome of each delivery attempt. */
  webhookAttempt(result: WebhookResult): void;
  /** The store the runner writes through, so a pipeline's progress and checkpoints are seen live. */
  observeProgress(store: Store): Store;
  /**
   * Starts hearing the jobs events and reading the agent's parts at scrape time, and makes these the
   * metrics the agent's /metrics serves (found by node id: operatorMetricsOf). Returns the function
   * that undoes all three.
   */
  attach(sources: LiveSources): () => void;
  live(): Promise<LiveFigures>;
}

interface Going {
  jobId: string;
  startedAt: number;
  pipeline?: PipelineFigures;
  checkpointAt?: number;
  /** Not listed by the store as running here at the last scrape. */
  missing?: boolean;
}

export function createOperatorMetrics(
  deps: { now?: () => number; maxJobLabels?: number } = {},
): OperatorMetrics {
  const now = deps.now ?? Date.now;
  const jobLabels = createJobLabels(deps.maxJobLabels ?? DEFAULT_MAX_JOB_LABELS);
  const names = new Map<string, string>();
  /** Job ids whose name is being read, with what waits for it. */
  const naming = new Map<string, Array<(label: string) => void>>();
  let sources: LiveSources | undefined;

  const runsStarted = createCounterFamily(['job_name']);
  const runsFinished = createCounterFamily(['job_name', 'state']);
  const runRetries = createCounterFamily(['job_name']);
  const runDuration = createHistogramFamily(['job_name'], RUN_DURATION_BUCKETS);
  const scheduleLag = createHistogramFamily([], SCHEDULE_LAG_BUCKETS);
  const webhookDeliveries = createCounterFamily([]);
  const webhookFailures = createCounterFamily([]);
  const webhooksGivenUp = createCounterFamily([]);
  const pipelineCheckpoints = createCounterFamily(['job_name']);
  const pipelineFinished = new Map<string, PipelineFigures>();
  const storeDuration = createHistogramFamily(['operation'], STORE_DURATION_BUCKETS);
  const storeErrors = createCounterFamily(['operation', 'code']);

  const going = new Map<string, Going>();
  const seen = createSeenSet(SEEN_RUNS);

  /** Calls `use` with the job's label now, or once its name is read from the store. */
  function withJob(jobId: string, use: (label: string) => void): void {
    const name = names.get(jobId);
    if (name !== undefined) return use(jobLabels.of(name));
    const waiting = naming.get(jobId);
    if (waiting !== undefined) return void waiting.push(use);
    const store = sources?.store;
    if (store === undefined) return use(OTHER_JOBS);
    naming.set(jobId, [use]);
    store.jobNames([jobId]).then(
      (found) => settle(jobId, found.get(jobId)),
      () => settle(jobId, undefined),
    );
  }
  function settle(jobId: string, name: string | undefined): void {
    const waiting = naming.get(jobId) ?? [];
    naming.delete(jobId);
    // A job deleted before its name was read is counted under `other`, and not remembered.
    if (name !== undefined) names.set(jobId, name);
    const label = name === undefined ? OTHER_JOBS : jobLabels.of(name);
    for (const use of waiting) use(label);
  }

  function onRun(run: Run): void {
    if (run.state === 'running' && !going.has(run.id) && seen.add(`start:${run.id}`)) {
      going.set(run.id, { jobId: run.jobId, startedAt: run.startedAt ?? now() });
      const startedAt = run.startedAt ?? now();
      withJob(run.jobId, (job) => runsStarted.inc({ job_name: job }));
      // The lag of a scheduled fire: when it ran against when it was due (jitter included).
      if (run.trigger === 'schedule') {
        scheduleLag.observe({}, Math.max(0, startedAt - run.runAt) / 1000);
      }
    }
    if (run.trigger === 'retry' && run.state === 'queued' && seen.add(`retry:${run.id}`)) {
      withJob(run.jobId, (job) => runRetries.inc({ job_name: job }));
    }
    if (FINAL_STATES.has(run.state) && seen.add(`end:${run.id}`)) {
      const was = going.get(run.id);
      going.delete(run.id);
      const figures = pipelineFigures(run.metrics) ?? was?.pipeline;
      withJob(run.jobId, (job) => {
        runsFinished.inc({ job_name: job, state: run.state });
        if (run.startedAt !== undefined && run.finishedAt !== undefined) {
          runDuration.observe(
            { job_name: job },
            Math.max(0, run.finishedAt - run.startedAt) / 1000,
          );
        }
        if (figures !== undefined) addFigures(pipelineFinished, job, figures);
      });
    }
  }

  /** The read in flight: the series of one scrape ask together and share it. */
  let reading: Promise<LiveFigures> | undefined;
  async function readLive(): Promise<LiveFigures> {
    const sessions = sources?.sessions() ?? [];
    const figures: LiveFigures = {
      consoleSessions: sessions.length,
      consoleJobs: sessions.reduce((n, s) => n + s.jobs, 0),
      checkpointAgeSeconds: new Map(),
      pipelineLive: new Map(),
    };
    if (sources !== undefined) {
      const { store, nodeId, heartbeatMs } = sources;
      // Each read on its own: a store that answers one and not another still shows what it answered.
      const [queued, running, members] = await Promise.allSettled([
        store.listRuns({ state: 'queued', limit: QUEUED_COUNT_LIMIT }),
        store.listRuns({ state: 'running', nodeId, limit: QUEUED_COUNT_LIMIT }),
        createMembership({ store, heartbeatMs }).members(),
      ]);
      if (queued.status === 'fulfilled') figures.queued = queued.value.length;
      if (running.status === 'fulfilled') {
        figures.running = running.value.length;
        forgetGone(new Set(running.value.map((r) => r.id)));
      }
      if (members.status === 'fulfilled') {
        const nodes: Record<MemberStatus, number> = { up: 0, down: 0, stale: 0 };
        for (const m of members.value) nodes[m.status] += 1;
        figures.nodes = nodes;
      }
    }
    const at = now();
    for (const run of going.values()) {
      if (run.pipeline === undefined) continue;
      const job = labelNow(run.jobId);
      addFigures(figures.pipelineLive as Map<string, PipelineFigures>, job, run.pipeline);
      const age = Math.max(0, at - (run.checkpointAt ?? run.startedAt)) / 1000;
      const ages = figures.checkpointAgeSeconds as Map<string, number>;
      ages.set(job, Math.max(age, ages.get(job) ?? 0));
    }
    return figures;
  }

  /**
   * Runs this agent thinks are going that the store no longer lists as running here at two scrapes
   * in a row: their end was published elsewhere (another node's reaper marked them lost while this
   * one was cut off). Their figures so far stay counted, so no counter goes down.
   */
  function forgetGone(runningHere: ReadonlySet<string>): void {
    for (const [id, run] of going) {
      if (runningHere.has(id)) {
        run.missing = false;
      } else if (!run.missing) {
        run.missing = true; // its end may be on its way: the store is written before the event
      } else {
        going.delete(id);
        if (run.pipeline !== undefined) {
          addFigures(pipelineFinished, labelNow(run.jobId), run.pipeline);
        }
      }
    }
  }
  /** A label for a scrape, which cannot wait for a name: a run's name was asked for when it started. */
  const labelNow = (jobId: string): string => {
    const name = names.get(jobId);
    return name === undefined ? OTHER_JOBS : jobLabels.of(name);
  };

  const metrics: OperatorMetrics = {
    runsStarted,
    runsFinished,
    runRetries,
    runDuration,
    scheduleLag,
    webhookDeliveries,
    webhookFailures,
    webhooksGivenUp,
    pipelineFinished,
    pipelineCheckpoints,
    storeDuration,
    storeErrors,

    storeOperation(op, seconds, error) {
      storeDuration.observe({ operation: op }, seconds);
      // The store failing, not the store answering "no such job" or "conflict": those are answers.
      if (
        error instanceof AgentError &&
        (error.code === 'STORE' || error.code === 'STORE_UNAVAILABLE')
      ) {
        storeErrors.inc({ operation: op, code: error.code === 'STORE' ? 'error' : 'unavailable' });
      } else if (error !== undefined && !(error instanceof AgentError)) {
        storeErrors.inc({ operation: op, code: 'error' });
      }
    },

    webhookAttempt(result) {
      webhookDeliveries.inc({});
      if (result !== 'delivered') webhookFailures.inc({});
      if (result === 'given_up') webhooksGivenUp.inc({});
    },

    observeProgress(store) {
      const observed: Store = Object.create(store) as Store;
      observed.saveRunProgress = async (runId, token, progress) => {
        const stored = await store.saveRunProgress(runId, token, progress);
        const run = going.get(runId);
        if (stored && run !== undefined) {
          const figures = pipelineFigures(progress.metrics);
          if (figures !== undefined) run.pipeline = figures;
          else run.pipeline ??= { sourceRows: 0, sourceBytes: 0, sinkRows: 0, sinkBytes: 0 };
          if (progress.checkpoint !== undefined) {
            run.checkpointAt = now();
            withJob(run.jobId, (job) => pipelineCheckpoints.inc({ job_name: job }));
          }
        }
        return stored;
      };
      return observed;
    },

    attach(given) {
      sources = given;
      const unsubscribe = given.events.subscribe((event) => {
        if (event.type === 'run') onRun(event.run);
        else if (event.action === 'deleted') names.delete(event.job.id);
        else names.set(event.job.id, event.job.name);
      });
      return () => {
        unsubscribe();
        if (sources === given) sources = undefined;
      };
    },

    live() {
      reading ??= readLive().finally(() => {
        reading = undefined;
      });
      return reading;
    },
  };
  return metrics;
}

/** A pipeline run's totals from its metrics (SeaTunnel's names, pipeline/engine/metrics.ts). */
function pipelineFigures(
  metrics: Record<string, unknown> | undefined,
): PipelineFigures | undefined {
  if (metrics === undefined) return undefined;
  const num = (key: string): number => {
    const v = metrics[key];
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
  };
  return {
    sourceRows: num('SourceReceivedCount'),
    sourceBytes: num('SourceReceivedBytes'),
    sinkRows: num('SinkWriteCount'),
    sinkBytes: num('SinkWriteBytes'),
  };
}

function addFigures(into: Map<string, PipelineFigures>, job: string, add: PipelineFigures): void {
  const was = into.get(job) ?? { sourceRows: 0, sourceBytes: 0, sinkRows: 0, sinkBytes: 0 };
  into.set(job, {
    sourceRows: was.sourceRows + add.sourceRows,
    sourceBytes: was.sourceBytes + add.sourceBytes,
    sinkRows: was.sinkRows + add.sinkRows,
    sinkBytes: was.sinkBytes + add.sinkBytes,
  });
}

/** Keys seen lately, oldest forgotten first; add() says whether the key is new. */
function createSeenSet(capacity: number): { add(key: string): boolean } {
  const keys = new Set<string>();
  return {
    add(key) {
      if (keys.has(key)) return false;
      keys.add(key);
      if (keys.size > capacity) keys.delete(keys.values().next().value as string);
      return true;
    },
  };
}
