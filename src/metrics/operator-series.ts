// The operator metrics (operator-metrics.ts) as Prometheus series in a prom-client registry, under
// bosun_ with Prometheus's naming (units in names, _total on counters). Loaded with prom-client on
// the first scrape; every value is read from the recorder or from the store at scrape time.
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import type { CounterFamily, HistogramFamily, Labels } from './recorder.ts';
import type { LiveFigures, OperatorMetrics, PipelineFigures } from './operator-metrics.ts';

export function registerOperatorSeries(registry: Registry, m: OperatorMetrics): void {
  const counter = (name: string, help: string, labelNames: string[], family: CounterFamily) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, value } of family.entries()) this.inc(labels, value);
      },
    });
  const histogram = (name: string, help: string, family: HistogramFamily) =>
    registry.registerMetric(recordedHistogram(name, help, family));
  /** A gauge from the figures read at scrape time; `fill` sets nothing when the store did not answer. */
  const live = (
    name: string,
    help: string,
    labelNames: string[],
    fill: (set: (labels: Labels, value: number) => void, figures: LiveFigures) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value), await m.live());
      },
    });

  counter(
    'bosun_runs_started_total',
    'Runs this agent started, by job.',
    ['job_name'],
    m.runsStarted,
  );
  counter(
    'bosun_runs_finished_total',
    'Runs that reached a final state on this agent (succeeded, failed, timed_out, canceled, lost, skipped, savepoint_done), by job and state.',
    ['job_name', 'state'],
    m.runsFinished,
  );
  counter(
    'bosun_run_retries_total',
    'Retry runs this agent queued after a failed, timed-out or lost attempt, by job.',
    ['job_name'],
    m.runRetries,
  );
  histogram(
    'bosun_run_duration_seconds',
    'How long runs that ended on this agent ran, from start to end, by job.',
    m.runDuration,
  );
  histogram(
    'bosun_schedule_lag_seconds',
    'How late scheduled runs started on this agent, against their due time (jitter included).',
    m.scheduleLag,
  );
  live(
    'bosun_runs_queued',
    'Runs waiting in the store for a node to start them (the whole cluster; counted up to 1000).',
    [],
    (set, f) => f.queued !== undefined && set({}, f.queued),
  );
  live(
    'bosun_runs_running',
    'Runs this agent runs now.',
    [],
    (set, f) => f.running !== undefined && set({}, f.running),
  );

  counter(
    'bosun_webhook_deliveries_total',
    'Webhook delivery attempts this agent made.',
    [],
    m.webhookDeliveries,
  );
  counter(
    'bosun_webhook_delivery_failures_total',
    'Webhook delivery attempts that failed (an error or a status outside 2xx).',
    [],
    m.webhookFailures,
  );
  counter(
    'bosun_webhook_given_up_total',
    'Webhooks given up after their last attempt failed.',
    [],
    m.webhooksGivenUp,
  );

  const pipeline = (name: string, help: string, pick: (f: PipelineFigures) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['job_name'],
      registers: [registry],
      async collect() {
        this.reset();
        const { pipelineLive } = await m.live();
        // Runs still going add their figures so far: a streaming pipeline's counter moves while it runs.
        const totals = new Map<string, number>();
        for (const source of [m.pipelineFinished, pipelineLive]) {
          for (const [job, f] of source) totals.set(job, (totals.get(job) ?? 0) + pick(f));
        }
        for (const [job, value] of totals) this.inc({ job_name: job }, value);
      },
    });
  pipeline(
    'bosun_pipeline_source_rows_total',
    'Rows the sources of pipeline runs on this agent read, by job.',
    (f) => f.sourceRows,
  );
  pipeline(
    'bosun_pipeline_source_bytes_total',
    'Bytes the sources of pipeline runs on this agent read, by job.',
    (f) => f.sourceBytes,
  );
  pipeline(
    'bosun_pipeline_sink_rows_total',
    'Rows the sinks of pipeline runs on this agent wrote, by job.',
    (f) => f.sinkRows,
  );
  pipeline(
    'bosun_pipeline_sink_bytes_total',
    'Bytes the sinks of pipeline runs on this agent wrote, by job.',
    (f) => f.sinkBytes,
  );
  counter(
    'bosun_pipeline_checkpoints_total',
    'Checkpoints pipeline runs on this agent stored, by job.',
    ['job_name'],
    m.pipelineCheckpoints,
  );
  live(
    'bosun_pipeline_checkpoint_age_seconds',
    "Seconds since the newest stored checkpoint of a running pipeline (since its start before the first), the oldest of the job's runs on this agent.",
    ['job_name'],
    (set, f) => {
      for (const [job, age] of f.checkpointAgeSeconds) set({ job_name: job }, age);
    },
  );

  live('bosun_console_sessions', 'Open console sessions.', [], (set, f) =>
    set({}, f.consoleSessions),
  );
  live('bosun_console_jobs', 'Console jobs in the open sessions.', [], (set, f) =>
    set({}, f.consoleJobs),
  );

  histogram(
    'bosun_store_operation_duration_seconds',
    "Round-trip time of the store's operations (a query or a transaction), by operation.",
    m.storeDuration,
  );
  counter(
    'bosun_store_errors_total',
    'Store operations that failed: code="unavailable" when the store could not be reached, "error" otherwise.',
    ['operation', 'code'],
    m.storeErrors,
  );

  live(
    'bosun_cluster_nodes',
    'Nodes registered in the store, by state: up (heartbeat fresh), down (stopped cleanly), stale (heartbeats missed).',
    ['state'],
    (set, f) => {
      if (f.nodes === undefined) return;
      for (const [state, n] of Object.entries(f.nodes)) set({ state }, n);
    },
  );
}

/**
 * A histogram whose buckets the recorder keeps: prom-client's Histogram only observes, and the
 * observations were made before prom-client was loaded. The registry asks a metric for its values
 * (get, getForPromString) and formats them; this gives them in the shape Histogram does.
 */
function recordedHistogram(name: string, help: string, family: HistogramFamily): Metric {
  type Value = {
    labels: Readonly<Record<string, string | number>>;
    sharedLabels?: Labels;
    value: number;
    metricName: string;
  };
  const getForPromString = async () => {
    const values: Value[] = [];
    for (const e of family.entries()) {
      const bucket = (le: number | string, value: number): Value => ({
        labels: { le },
        sharedLabels: e.labels,
        value,
        metricName: `${name}_bucket`,
      });
      values.push(...family.buckets.map((le, i) => bucket(le, e.cumulative[i] ?? 0)));
      values.push(bucket('+Inf', e.count));
      values.push({ labels: e.labels, value: e.sum, metricName: `${name}_sum` });
      values.push({ labels: e.labels, value: e.count, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  };
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    getForPromString,
    async get() {
      const data = await getForPromString();
      // JSON has no shared labels: each value carries its own.
      const values = data.values.map(({ sharedLabels, ...v }) => ({
        ...v,
        labels: { ...sharedLabels, ...v.labels },
      }));
      return { ...data, values };
    },
    reset() {}, // the recorder's figures are the agent's, not the registry's to clear
  };
  return metric as unknown as Metric;
}
