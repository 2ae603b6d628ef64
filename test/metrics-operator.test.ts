// The operator series of /metrics (src/metrics/) against a real agent: runs started and finished by job
// and state, retries, durations and schedule lag, webhook deliveries and failures, pipeline rows,
// store round trips, cluster nodes and console sessions, with a job label that generated names cannot
// grow; and the whole exposition passes `promtool check metrics`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { injectClient, waitFor, waitRunEnd } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

let agent: InProcessAgent;
let api: ReturnType<typeof injectClient>;
let hooks: Server;
let hookUrl: string;
let hookCalls = 0;

before(async () => {
  agent = await startInProcessAgent();
  api = injectClient(agent);
  // A webhook receiver that always fails: every delivery attempt is a failure.
  hooks = createServer((_req, res) => {
    hookCalls += 1;
    res.statusCode = 500;
    res.end('no');
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hook`;
});
after(async () => {
  hooks?.close();
  await agent?.stop();
});

/** Sample lines of an exposition: `name{labels}` → value (labels as written, in order). */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const scrape = async (): Promise<{ text: string; samples: Map<string, number> }> => {
  const res = await api('GET', '/metrics');
  assert.equal(res.status, 200);
  const text = res.text;
  return { text, samples: parseExposition(text) };
};

async function createJob(fields: Record<string, unknown>): Promise<string> {
  const res = await api('POST', '/api/v1/jobs', fields);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

async function runToEnd(jobId: string): Promise<Record<string, unknown>> {
  const res = await api('POST', `/api/v1/jobs/${jobId}/run`);
  assert.ok(res.status === 201 || res.status === 202, JSON.stringify(res.body));
  return waitRunEnd(api, res.body.id as string);
}

describe('operator metrics', () => {
  it('counts runs by job and state, with their durations', async () => {
    const ok = await createJob({ name: 'metrics-ok', cmd: 'true' });
    await runToEnd(ok);
    await runToEnd(ok);
    const { samples } = await scrape();
    assert.equal(samples.get('bosun_runs_started_total{job_name="metrics-ok"}'), 2);
    assert.equal(
      samples.get('bosun_runs_finished_total{job_name="metrics-ok",state="succeeded"}'),
      2,
    );
    assert.equal(samples.get('bosun_run_duration_seconds_count{job_name="metrics-ok"}'), 2);
    assert.equal(
      samples.get('bosun_run_duration_seconds_bucket{le="+Inf",job_name="metrics-ok"}'),
      2,
    );
    assert.equal(samples.get('bosun_runs_running'), 0);
    assert.equal(samples.get('bosun_runs_queued'), 0);
  });

  it('counts a failed run, its retry and the failed webhook deliveries', async () => {
    const job = await createJob({
      name: 'metrics-fail',
      cmd: 'exit 3',
      retry: { maxAttempts: 2, backoffSec: 1, maxBackoffSec: 1 },
      webhooks: [{ url: hookUrl, events: ['failed'] }],
    });
    await runToEnd(job);
    const { samples } = await waitFor('the retry to fail too and a webhook attempt', async () => {
      const s = await scrape();
      const failed = s.samples.get(
        'bosun_runs_finished_total{job_name="metrics-fail",state="failed"}',
      );
      const attempts = s.samples.get('bosun_webhook_deliveries_total') ?? 0;
      return failed === 2 && attempts >= 1 ? s : undefined;
    });
    assert.equal(samples.get('bosun_run_retries_total{job_name="metrics-fail"}'), 1);
    assert.equal(samples.get('bosun_runs_started_total{job_name="metrics-fail"}'), 2);
    assert.ok(hookCalls >= 1);
    assert.ok((samples.get('bosun_webhook_delivery_failures_total') ?? 0) >= 1);
    assert.equal(samples.get('bosun_webhook_given_up_total'), 0);
  });

  it('gives generated job names one label value', async () => {
    for (const suffix of ['1a2b3c4d', '9f8e7d6c', '0c0ffee1']) {
      await runToEnd(await createJob({ name: `seatunnel-job-${suffix}`, cmd: 'true' }));
    }
    const { samples } = await scrape();
    assert.equal(samples.get('bosun_runs_started_total{job_name="seatunnel-job-*"}'), 3);
    assert.ok(![...samples.keys()].some((k) => k.includes('1a2b3c4d')));
  });

  it('counts the rows and bytes of a pipeline run', async () => {
    const job = await createJob({
      name: 'metrics-pipeline',
      kind: 'pipeline',
      pipeline: {
        format: 'hocon',
        config: `env { job.mode = BATCH }
source { FakeSource { result_table_name = fake, row.num = 7, split.read-interval = 0, schema = { fields { name = string, age = int } } } }
sink { Console {} }`,
      },
    });
    const run = await runToEnd(job);
    assert.equal(run.state, 'succeeded', String(run.error));
    const { samples } = await scrape();
    assert.equal(samples.get('bosun_pipeline_source_rows_total{job_name="metrics-pipeline"}'), 7);
    assert.equal(samples.get('bosun_pipeline_sink_rows_total{job_name="metrics-pipeline"}'), 7);
    assert.ok(
      (samples.get('bosun_pipeline_source_bytes_total{job_name="metrics-pipeline"}') ?? 0) > 0,
    );
    // Ended: no running pipeline has a checkpoint age any more.
    assert.ok(
      ![...samples.keys()].some((k) => k.startsWith('bosun_pipeline_checkpoint_age_seconds{')),
    );
  });

  it('observes the lag of scheduled runs', async () => {
    const job = await createJob({
      name: 'metrics-every',
      cmd: 'true',
      schedules: [{ kind: 'every', everySec: 1 }],
    });
    const { samples } = await waitFor('a scheduled run to start', async () => {
      const s = await scrape();
      return (s.samples.get('bosun_schedule_lag_seconds_count') ?? 0) >= 1 ? s : undefined;
    });
    await api('DELETE', `/api/v1/jobs/${job}`);
    const count = samples.get('bosun_schedule_lag_seconds_count') ?? 0;
    assert.equal(samples.get('bosun_schedule_lag_seconds_bucket{le="+Inf"}'), count);
    assert.ok((samples.get('bosun_schedule_lag_seconds_sum') ?? -1) >= 0);
  });

  it('shows store round trips, cluster nodes and console sessions', async () => {
    const session = await api('POST', '/api', { action: 'init_session' });
    assert.equal(session.status, 200, JSON.stringify(session.body));
    const { samples } = await scrape();
    assert.ok(
      (samples.get('bosun_store_operation_duration_seconds_count{operation="claim runs"}') ?? 0) >=
        1,
    );
    assert.equal(samples.get('bosun_cluster_nodes{state="up"}'), 1);
    assert.equal(samples.get('bosun_cluster_nodes{state="stale"}'), 0);
    assert.ok((samples.get('bosun_console_sessions') ?? 0) >= 1);
    assert.ok(samples.has('bosun_console_jobs'));
    assert.ok(
      samples.has(
        'bosun_store_operation_duration_seconds_bucket{le="+Inf",operation="claim runs"}',
      ),
    );
  });

  it('passes promtool check metrics on every bosun_ series', async (t) => {
    const { text } = await scrape();
    const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined) {
      t.skip('promtool is missing: apt-get install -y prometheus (.ci/run does this)');
      return;
    }
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = (result.stdout + result.stderr)
      .split('\n')
      .filter((line) => line.trim() !== '')
      // node_exporter's own camelCase meminfo names (see monitoring-api.test.ts).
      .filter(
        (line) => !/^node_memory_\w+ metric names should be written in 'snake_case'/.test(line),
      );
    assert.deepEqual(problems, []);
    assert.ok(result.status === 0 || result.status === 3, `promtool exit ${result.status}`);
  });
});
