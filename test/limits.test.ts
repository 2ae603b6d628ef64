// Limits that hold, against a real agent (issue 21): a pipeline setting past what the engine can do is
// refused when submitted, on the native and the SeaTunnel surfaces alike, with the bound in the
// message; a job timeout past Node's longest timer (24.8 days) still lets the run finish; every
// numeric job field is refused past its bound.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { injectClient } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

type Json = Record<string, any>;

let agent: InProcessAgent;
before(async () => {
  agent = await startInProcessAgent();
});
after(async () => {
  await agent?.stop();
});

const api = (method: string, url: string, body?: unknown) => injectClient(agent)(method, url, body);

const pipeline = (env: Json, source: Json = {}) => ({
  env: { 'job.mode': 'BATCH', ...env },
  source: [
    {
      plugin_name: 'FakeSource',
      'row.num': 5,
      schema: { fields: { name: 'string' } },
      ...source,
    },
  ],
  sink: [{ plugin_name: 'Console' }],
});

describe('limits', () => {
  it('refuses parallelism 1000000000 at submit, on the native and the SeaTunnel surfaces', async () => {
    const native = await api('POST', '/api/v1/jobs', {
      name: 'huge-parallelism',
      kind: 'pipeline',
      pipeline: { format: 'json', config: pipeline({ parallelism: 1_000_000_000 }) },
    });
    assert.equal(native.status, 400);
    assert.equal(native.body.error.code, 'INVALID_INPUT');
    assert.match(
      native.body.error.message,
      /^pipeline\.config: env option parallelism must be a whole number from 1 to 128 /,
    );

    for (const prefix of ['/hazelcast/rest/maps', '']) {
      const seatunnel = await api(
        'POST',
        `${prefix}/submit-job?jobName=huge`,
        pipeline({ parallelism: 1_000_000_000 }),
      );
      assert.equal(seatunnel.status, 400);
      assert.equal(seatunnel.body.status, 'fail');
      assert.match(seatunnel.body.message, /parallelism must be a whole number from 1 to 128/);
    }
    const jobs = await api('GET', '/api/v1/jobs');
    assert.deepEqual(jobs.body.jobs, [], 'nothing was created');
  });

  it('refuses a FakeSource row.num past its bound, naming the plugin and the option', async () => {
    const res = await api('POST', '/submit-job', pipeline({}, { 'row.num': 1e12 }));
    assert.equal(res.status, 400);
    assert.match(
      res.body.message,
      /^Source\[0\]-FakeSource: option 'row\.num' must be a whole number from 0 to 2147483647/,
    );
  });

  it('runs a job with a 31-day timeout to its end instead of timing it out at once', async () => {
    const created = await api('POST', '/api/v1/jobs', {
      name: 'month-long-timeout',
      cmd: 'sleep 0.3; echo done',
      timeoutSec: 31 * 86_400,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = await api('POST', `/api/v1/jobs/${created.body.id}/run`);
    let run: Json = started.body;
    for (let i = 0; i < 100 && (run.state === 'queued' || run.state === 'running'); i++) {
      await sleep(100);
      run = (await api('GET', `/api/v1/runs/${started.body.id}`)).body;
    }
    assert.equal(run.state, 'succeeded', run.error);
  });

  it('refuses every numeric job field past its bound, with the bound in the message', async () => {
    const cases: Array<[Json, RegExp]> = [
      [{ timeoutSec: 31 * 86_400 + 1 }, /"timeoutSec" must be <= 2678400/],
      [{ graceSec: 3601 }, /"graceSec" must be <= 3600/],
      [{ retry: { maxAttempts: 101 } }, /"retry\.maxAttempts" must be <= 100/],
      [{ keepRuns: 1e7 }, /"keepRuns" must be <= 1000000/],
      [
        { schedules: [{ kind: 'every', everySec: 9e12 }] },
        /"schedules\[0\]\.everySec" must be <= 315360000/,
      ],
      [
        {
          schedules: [{ kind: 'cloudtask', turnmode: 4, interval: 1e9, startdate: '01/02/2026' }],
        },
        /"schedules\[0\]\.interval" must be <= 1000000/,
      ],
    ];
    for (const [fields, message] of cases) {
      const res = await api('POST', '/api/v1/jobs', { name: 'bounded', cmd: 'true', ...fields });
      assert.equal(res.status, 400, JSON.stringify(fields));
      assert.match(res.body.error.message, message);
    }
  });
});
