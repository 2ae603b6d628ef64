import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newJob } from '../../test/support/jobs.ts';
import { AgentError } from '../errors.ts';
import { createJobsEvents, type JobsEvents } from '../jobs/events.ts';
import type { Run } from '../model/runs.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createOperatorMetrics } from './operator-metrics.ts';
import type { CounterFamily } from './recorder.ts';

const T0 = 1_800_000_000_000;

const run = (over: Partial<Run> & Pick<Run, 'id' | 'state'>): Run => ({
  jobId: '1',
  trigger: 'manual',
  attempt: 1,
  scheduledFor: T0,
  runAt: T0,
  createdAt: T0,
  logBytes: 0,
  logTruncated: false,
  ...over,
});

const total = (family: CounterFamily, match: Record<string, string> = {}): number => {
  let sum = 0;
  for (const { labels, value } of family.entries()) {
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) sum += value;
  }
  return sum;
};

describe('createOperatorMetrics', () => {
  let store: Store;
  let events: JobsEvents;
  let now = T0;
  let metrics: ReturnType<typeof createOperatorMetrics>;
  let detach: () => void;
  /** What the store lists as running on this node. */
  let runningHere: Run[] = [];

  before(async () => {
    const sqlite = createSqliteStore({ path: ':memory:' });
    await sqlite.migrate();
    store = Object.assign(Object.create(sqlite) as Store, {
      listRuns: async (filter: Parameters<Store['listRuns']>[0]) =>
        filter.state === 'running' ? runningHere : sqlite.listRuns(filter),
    });
    events = createJobsEvents((err) => {
      throw err;
    });
    metrics = createOperatorMetrics({ now: () => now, maxJobLabels: 2 });
    detach = metrics.attach({
      events,
      store,
      nodeId: 'n1',
      heartbeatMs: 1000,
      sessions: () => [{ jobs: 2 }, { jobs: 0 }],
    });
    events.publish({ type: 'job', action: 'created', job: { id: '1', name: 'backup' } });
  });
  after(async () => {
    detach();
    await store.close();
  });

  it('counts a start and an end once, however often a run is published', () => {
    const started = run({ id: 'r1', state: 'running', startedAt: T0 + 2000, trigger: 'schedule' });
    events.publish({ type: 'run', run: started });
    events.publish({ type: 'run', run: started });
    const ended = { ...started, state: 'failed' as const, finishedAt: T0 + 12_000 };
    events.publish({ type: 'run', run: ended });
    events.publish({ type: 'run', run: ended });
    assert.equal(total(metrics.runsStarted, { job_name: 'backup' }), 1);
    assert.equal(total(metrics.runsFinished, { job_name: 'backup', state: 'failed' }), 1);
    const [duration] = [...metrics.runDuration.entries()];
    assert.deepEqual(duration?.labels, { job_name: 'backup' });
    assert.equal(duration?.sum, 10);
    const [lag] = [...metrics.scheduleLag.entries()];
    assert.equal(lag?.sum, 2);
    assert.equal(lag?.count, 1);
  });

  it('counts a retry once and a skipped fire as finished', () => {
    const retry = run({ id: 'r2', state: 'queued', trigger: 'retry', attempt: 2 });
    events.publish({ type: 'run', run: retry });
    events.publish({ type: 'run', run: retry });
    events.publish({ type: 'run', run: run({ id: 'r3', state: 'skipped', trigger: 'schedule' }) });
    assert.equal(total(metrics.runRetries), 1);
    assert.equal(total(metrics.runsFinished, { state: 'skipped' }), 1);
    // Never started: no duration.
    assert.equal([...metrics.runDuration.entries()][0]?.count, 1);
  });

  it('reads the name of a job it has not heard of from the store, else counts it under other', async () => {
    const job = await store.createJob({ ...newJob({ name: 'nightly' }), id: '77' });
    events.publish({ type: 'run', run: run({ id: 'r4', jobId: job.id, state: 'running' }) });
    events.publish({ type: 'run', run: run({ id: 'r5', jobId: '404', state: 'running' }) });
    // The names are read from the store: wait for the two counts, not for a time.
    for (let i = 0; i < 1000 && total(metrics.runsStarted) < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(total(metrics.runsStarted, { job_name: 'nightly' }), 1);
    assert.equal(total(metrics.runsStarted, { job_name: 'other' }), 1);
  });

  it('caps the job label: past the cap, names count under other', () => {
    events.publish({ type: 'job', action: 'created', job: { id: '2', name: 'third' } });
    events.publish({ type: 'run', run: run({ id: 'r6', jobId: '2', state: 'running' }) });
    assert.equal(total(metrics.runsStarted, { job_name: 'third' }), 0);
    assert.equal(total(metrics.runsStarted, { job_name: 'other' }), 2);
  });

  it('sees pipeline progress written through the store and ages checkpoints', async () => {
    now = T0 + 100_000;
    const p1 = run({ id: 'p1', state: 'running', startedAt: T0 + 90_000 });
    runningHere = [p1];
    events.publish({ type: 'run', run: p1 });
    const writes: unknown[] = [];
    const base = Object.assign(Object.create(store) as Store, {
      saveRunProgress: async (_id: string, _token: string, progress: unknown) => {
        writes.push(progress);
        return true;
      },
    });
    const observed = metrics.observeProgress(base);
    await observed.saveRunProgress('p1', 't', {
      metrics: { SourceReceivedCount: 10, SourceReceivedBytes: 100, SinkWriteCount: 9 },
    });
    let live = await metrics.live();
    assert.deepEqual(live.pipelineLive.get('backup'), {
      sourceRows: 10,
      sourceBytes: 100,
      sinkRows: 9,
      sinkBytes: 0,
    });
    assert.equal(live.checkpointAgeSeconds.get('backup'), 10);
    await observed.saveRunProgress('p1', 't', { checkpoint: { checkpointId: 1 } });
    now += 3000;
    live = await metrics.live();
    assert.equal(live.checkpointAgeSeconds.get('backup'), 3);
    assert.equal(total(metrics.pipelineCheckpoints, { job_name: 'backup' }), 1);
    assert.equal(writes.length, 2);

    events.publish({
      type: 'run',
      run: run({
        id: 'p1',
        state: 'succeeded',
        startedAt: T0 + 90_000,
        finishedAt: now,
        metrics: { SourceReceivedCount: 12, SinkWriteCount: 12, SinkWriteBytes: 50 },
      }),
    });
    runningHere = [];
    live = await metrics.live();
    assert.equal(live.pipelineLive.size, 0);
    assert.equal(live.checkpointAgeSeconds.size, 0);
    assert.deepEqual(metrics.pipelineFinished.get('backup'), {
      sourceRows: 12,
      sourceBytes: 0,
      sinkRows: 12,
      sinkBytes: 50,
    });
  });

  it('forgets a run whose end it never heard of, keeping what it counted', async () => {
    events.publish({ type: 'run', run: run({ id: 'p2', state: 'running', startedAt: now }) });
    const accepting = Object.assign(Object.create(store) as Store, {
      saveRunProgress: async () => true,
    });
    await metrics.observeProgress(accepting).saveRunProgress('p2', 't', {
      metrics: { SourceReceivedCount: 5 },
    });
    // Not listed as running here: once may be a race with its end, twice means it is gone.
    assert.equal((await metrics.live()).checkpointAgeSeconds.get('backup'), 0);
    const after = await metrics.live();
    assert.equal(after.pipelineLive.size, 0);
    assert.equal(after.checkpointAgeSeconds.size, 0);
    assert.equal(metrics.pipelineFinished.get('backup')?.sourceRows, 12 + 5);
  });

  it('counts store failures, not answers such as not found', () => {
    metrics.storeOperation('read a job', 0.002);
    metrics.storeOperation('read a job', 0.001, new AgentError('NOT_FOUND', 'no job'));
    metrics.storeOperation('claim runs', 0.5, new AgentError('STORE_UNAVAILABLE', 'away'));
    metrics.storeOperation('claim runs', 0.5, new AgentError('STORE', 'broken'));
    assert.equal(total(metrics.storeErrors, { operation: 'read a job' }), 0);
    assert.equal(total(metrics.storeErrors, { operation: 'claim runs', code: 'unavailable' }), 1);
    assert.equal(total(metrics.storeErrors, { operation: 'claim runs', code: 'error' }), 1);
    const read = [...metrics.storeDuration.entries()].find(
      (e) => e.labels.operation === 'read a job',
    );
    assert.equal(read?.count, 2);
  });

  it('counts webhook attempts and failures', () => {
    metrics.webhookAttempt('delivered');
    metrics.webhookAttempt('failed');
    metrics.webhookAttempt('given_up');
    assert.equal(total(metrics.webhookDeliveries), 3);
    assert.equal(total(metrics.webhookFailures), 2);
    assert.equal(total(metrics.webhooksGivenUp), 1);
  });

  it('reads queued runs, console sessions and nodes at scrape time', async () => {
    const live = await metrics.live();
    assert.equal(live.queued, 0);
    assert.equal(live.running, 0);
    assert.equal(live.consoleSessions, 2);
    assert.equal(live.consoleJobs, 2);
    assert.deepEqual(live.nodes, { up: 0, down: 0, stale: 0 });
  });
});
