// The native jobs API end to end: a real agent in this process, real shell processes, real SQLite.
// Shapes go in-process (inject); a followed log, a package upload and the event streams go over the wire.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create as createTar } from 'tar';
import { injectClient, processAlive, waitFor, waitRunEnd } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

let agent: InProcessAgent;
let api: ReturnType<typeof injectClient>;
let seq = 0;
const unique = (prefix: string): string => `${prefix}-${process.pid}-${(seq += 1)}`;

async function createJob(fields: Record<string, unknown>): Promise<{ id: string; name: string }> {
  const res = await api('POST', '/api/v1/jobs', { name: unique('job'), ...fields });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function runJob(jobId: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await api('POST', `/api/v1/jobs/${jobId}/run`, undefined, headers);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.id;
}

before(async () => {
  agent = await startInProcessAgent({ 'log-cap': '16KiB' });
  api = injectClient(agent);
});
after(() => agent.stop());

describe('jobs API', () => {
  it('creates a job with defaults, reads it by id and name, lists, patches, replaces and deletes it', async () => {
    const job = await createJob({ cmd: 'true', schedules: [{ kind: 'every', everySec: 3600 }] });
    const full = (await api('GET', `/api/v1/jobs/${job.id}`)).body;
    assert.equal(full.kind, 'command');
    assert.equal(full.overlap, 'forbid');
    assert.equal(full.misfire, 'skip');
    assert.deepEqual(full.retry, { maxAttempts: 1, backoffSec: 10, maxBackoffSec: 600 });
    assert.equal(full.schedules[0].description, 'every hour');
    assert.ok(Date.parse(full.nextRunAt) > Date.now());
    assert.equal(full.lastRun, null);
    assert.deepEqual((await api('GET', `/api/v1/jobs/${job.name}`)).body.id, job.id);
    const list = (await api('GET', '/api/v1/jobs')).body.jobs as { id: string }[];
    assert.ok(list.some((j) => j.id === job.id));

    const patched = await api('PATCH', `/api/v1/jobs/${job.id}`, { enabled: false });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.enabled, false);
    assert.equal(patched.body.nextRunAt, null);
    assert.equal(patched.body.version, 2);

    const replaced = await api('PUT', `/api/v1/jobs/${job.id}`, {
      name: job.name,
      cmd: 'echo new',
    });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.cmd, 'echo new');
    assert.deepEqual(replaced.body.schedules, []);

    assert.equal((await api('DELETE', `/api/v1/jobs/${job.id}`)).status, 204);
    const gone = await api('GET', `/api/v1/jobs/${job.id}`);
    assert.equal(gone.status, 404);
    assert.match(gone.body.error.message, /does not exist/);
  });

  it('lists the next fire times so a schedule can be checked', async () => {
    const job = await createJob({
      cmd: 'true',
      schedules: [{ kind: 'cron', expr: '0 12 * * 1', tz: 'Europe/Berlin' }],
    });
    const { body } = await api('GET', `/api/v1/jobs/${job.id}/next?count=3`);
    assert.equal(body.times.length, 3);
    const [a, b] = body.times.map((t: string) => Date.parse(t));
    assert.equal(b - a, 7 * 86_400_000);
    assert.equal(new Date(a).getUTCDay(), 1);
  });

  it('runs a job now with its environment and serves its log, whole or tailed', async () => {
    const job = await createJob({
      cmd: 'echo "run=$BOSUN_RUN_ID job=$BOSUN_JOB_ID attempt=$BOSUN_ATTEMPT"; echo "$GREETING"; echo "launcher=${MALLOC_ARENA_MAX-unset} ${NODE_COMPILE_CACHE-unset}"; echo "due=$BOSUN_SCHEDULED_FOR"',
      env: { GREETING: 'hello from env' },
    });
    const runId = await runJob(job.id);
    const run = await waitRunEnd(api, runId);
    assert.equal(run.state, 'succeeded');
    assert.equal(run.exitCode, 0);
    assert.equal(run.trigger, 'manual');
    assert.equal(run.jobName, job.name);
    const log = (await api('GET', `/api/v1/runs/${runId}/log`)).body as string;
    assert.match(log, new RegExp(`run=${runId} job=${job.id} attempt=1`));
    assert.match(log, /hello from env/);
    assert.match(log, /due=\d{4}-\d\d-\d\dT/);
    // What bin/bosun set for the agent alone is not passed on.
    const { MALLOC_ARENA_MAX = 'unset', NODE_COMPILE_CACHE = 'unset' } = process.env;
    assert.ok(log.includes(`launcher=${MALLOC_ARENA_MAX} ${NODE_COMPILE_CACHE}\n`), log);
    assert.match((await api('GET', `/api/v1/runs/${runId}/log?tail=1`)).body, /^due=/);
    assert.equal((await api('GET', `/api/v1/jobs/${job.id}`)).body.lastRun.id, runId);
  });

  it('returns the same run for a retried request with the same Idempotency-Key', async () => {
    const job = await createJob({ cmd: 'true', overlap: 'allow' });
    const first = await runJob(job.id, { 'idempotency-key': 'abc-1' });
    const again = await runJob(job.id, { 'idempotency-key': 'abc-1' });
    assert.equal(again, first);
  });

  it('refuses a second run of a forbid job while one is active', async () => {
    const job = await createJob({ cmd: 'sleep 2' });
    const runId = await runJob(job.id);
    const res = await api('POST', `/api/v1/jobs/${job.id}/run`);
    assert.equal(res.status, 409);
    assert.match(res.body.error.message, /overlap policy is forbid/);
    await api('POST', `/api/v1/runs/${runId}/stop`);
  });

  it('retries a failing run with backoff, up to maxAttempts', async () => {
    const job = await createJob({
      cmd: 'echo attempt $BOSUN_ATTEMPT; exit 3',
      retry: { maxAttempts: 2, backoffSec: 0, maxBackoffSec: 0 },
    });
    await runJob(job.id);
    const runs = await waitFor('two failed attempts', async () => {
      const { body } = await api('GET', `/api/v1/runs?jobId=${job.id}`);
      const done = body.runs.filter((r: { state: string }) => r.state === 'failed');
      return done.length === 2 ? body.runs : undefined;
    });
    assert.deepEqual(
      runs.map((r: { attempt: number; trigger: string; exitCode: number; error: string }) => [
        r.attempt,
        r.trigger,
        r.exitCode,
        r.error,
      ]),
      [
        [2, 'retry', 3, 'exit code 3'],
        [1, 'manual', 3, 'exit code 3'],
      ],
    );
  });

  it('times a run out, killing its whole process group, grandchildren too', async () => {
    const marker = 3000 + (process.pid % 997);
    const job = await createJob({
      cmd: `sh -c 'sleep ${marker}' & sleep ${marker}.5; wait`,
      timeoutSec: 1,
      graceSec: 1,
      retry: { maxAttempts: 3, backoffSec: 3600, maxBackoffSec: 3600 },
    });
    const runId = await runJob(job.id);
    await waitFor('the job to start', async () =>
      processAlive(`sleep ${marker}`) ? true : undefined,
    );
    const run = await waitRunEnd(api, runId);
    assert.equal(run.state, 'timed_out');
    assert.equal(run.error, 'timed out after 1s');
    assert.equal(processAlive(`sleep ${marker}`), false, 'no process of the run survives');
  });

  it('stops a run that ignores SIGTERM with SIGKILL after the grace period, and never retries it', async () => {
    const marker = 4000 + (process.pid % 997);
    const job = await createJob({
      cmd: `trap '' TERM; sleep ${marker} & wait; wait`,
      graceSec: 1,
      retry: { maxAttempts: 3, backoffSec: 0, maxBackoffSec: 0 },
    });
    const runId = await runJob(job.id);
    await waitFor('the job to start', async () =>
      processAlive(`sleep ${marker}`) ? true : undefined,
    );
    const stop = await api('POST', `/api/v1/runs/${runId}/stop`);
    assert.equal(stop.status, 202);
    assert.equal(stop.body.stopRequested, true);
    const run = await waitRunEnd(api, runId);
    assert.equal(run.state, 'canceled');
    assert.equal(processAlive(`sleep ${marker}`), false);
    const { body } = await api('GET', `/api/v1/runs?jobId=${job.id}`);
    assert.equal(body.runs.length, 1, 'a stopped run is not retried');
  });

  it('stops every run of a job at once by its name, and answers an empty list when none goes', async () => {
    const marker = 5000 + (process.pid % 997);
    const job = await createJob({ cmd: `sleep ${marker}`, overlap: 'allow', graceSec: 1 });
    const runs = [await runJob(job.id), await runJob(job.id)];
    await waitFor('both runs to start', async () => {
      const { body } = await api('GET', `/api/v1/runs?jobId=${job.id}&state=running`);
      return body.runs.length === 2 ? true : undefined;
    });
    const stop = await api('POST', `/api/v1/jobs/${job.name}/stop`);
    assert.equal(stop.status, 202, JSON.stringify(stop.body));
    assert.deepEqual(stop.body.runs.map((r: { id: string }) => r.id).sort(), [...runs].sort());
    for (const r of stop.body.runs) assert.equal(r.stopRequested, true);
    for (const id of runs) assert.equal((await waitRunEnd(api, id)).state, 'canceled');
    assert.equal(processAlive(`sleep ${marker}`), false);
    assert.deepEqual((await api('POST', `/api/v1/jobs/${job.id}/stop`)).body, { runs: [] });
    const savepoint = await api('POST', `/api/v1/jobs/${job.id}/stop?savepoint=true`);
    assert.equal(savepoint.status, 400);
    assert.match(savepoint.body.error.message, /only pipelines take a savepoint/);
    const missing = await api('POST', '/api/v1/jobs/no-such-job/stop');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
  });

  it('creates or replaces a job by name in one request: 201, then 200', async () => {
    const name = unique('upsert');
    const created = await api('PUT', `/api/v1/jobs/by-name/${name}`, { cmd: 'echo one' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, name);
    const replaced = await api('PUT', `/api/v1/jobs/by-name/${name}`, { name, cmd: 'echo two' });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.id, created.body.id);
    assert.equal(replaced.body.cmd, 'echo two');
    const other = await api('PUT', `/api/v1/jobs/by-name/${name}`, { name: 'x', cmd: 'true' });
    assert.equal(other.status, 400);
    assert.match(other.body.error.message, /the body names the job "x"/);
    const unknown = await api('PUT', `/api/v1/jobs/by-name/${name}`, { nope: 1 });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'INVALID_INPUT');
    assert.equal(other.body.error.code, 'INVALID_INPUT');
  });

  it('streams a log with ?follow=1 until the run ends', async () => {
    const job = await createJob({ cmd: 'for i in 1 2 3 4; do echo line $i; sleep 0.2; done' });
    const runId = await runJob(job.id);
    const res = await fetch(`${agent.url}/api/v1/runs/${runId}/log?follow=1`);
    assert.equal(res.status, 200);
    const pieces: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pieces.push(decoder.decode(chunk, { stream: true }));
    }
    assert.equal(pieces.join(''), 'line 1\nline 2\nline 3\nline 4\n');
    assert.ok(pieces.length > 1, 'the output arrived in several pieces, as it was printed');
  });

  it('caps a huge log, keeping the head and the tail and marking the cut', async () => {
    const job = await createJob({
      cmd: 'echo FIRST; yes middle | head -c 2000000; echo; echo LAST',
    });
    const runId = await runJob(job.id);
    const run = await waitRunEnd(api, runId);
    assert.equal(run.logTruncated, true);
    assert.ok((run.logBytes as number) > 2_000_000);
    const log = (await api('GET', `/api/v1/runs/${runId}/log`)).body as string;
    assert.ok(log.startsWith('FIRST\n'));
    assert.ok(log.endsWith('LAST\n'));
    assert.match(log, /\[bosun: [\d,]+ bytes cut from the middle of this log\]/);
    assert.ok(log.length < 20_000, `stored ${log.length} bytes with a 16 KiB cap`);
  });

  it('runs a job inside its uploaded package', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-pkg-'));
    writeFileSync(path.join(dir, 'data.txt'), 'from the package\n');
    writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\ncat data.txt\n', { mode: 0o755 });
    const archive = path.join(os.tmpdir(), `${unique('pkg')}.tar.gz`);
    await createTar({ gzip: true, file: archive, cwd: dir }, ['data.txt', 'run.sh']);
    const job = await createJob({ cmd: './run.sh' });
    const bytes = (await import('node:fs')).readFileSync(archive);
    const put = await fetch(`${agent.url}/api/v1/jobs/${job.id}/package`, {
      method: 'PUT',
      headers: { 'content-type': 'application/gzip' },
      body: bytes,
    });
    assert.equal(put.status, 200);
    const pkg = (await put.json()) as { sha256: string; size: number };
    assert.equal(pkg.size, bytes.length);
    assert.equal((await api('GET', `/api/v1/jobs/${job.id}`)).body.package.sha256, pkg.sha256);
    const run = await waitRunEnd(api, await runJob(job.id));
    assert.equal(run.state, 'succeeded');
    assert.equal((await api('GET', `/api/v1/runs/${run.id}/log`)).body, 'from the package\n');

    // The embedded store records which package it is; the data dir keeps the archive, unpacked
    // again when its directory is gone...
    rmSync(path.join(agent.dataDir, 'packages', job.id, pkg.sha256), { recursive: true });
    const again = await waitRunEnd(api, await runJob(job.id));
    assert.equal(again.state, 'succeeded', String(again.error));
    // ...and with the archive gone too, the run says what to do.
    rmSync(path.join(agent.dataDir, 'packages', job.id), { recursive: true, force: true });
    const lost = await waitRunEnd(api, await runJob(job.id));
    assert.equal(lost.state, 'failed');
    assert.match(String(lost.error), /package of job \d+ is missing from .*; upload it again/);

    const bad = await fetch(`${agent.url}/api/v1/jobs/${job.id}/package`, {
      method: 'PUT',
      headers: { 'content-type': 'application/gzip' },
      body: 'not an archive',
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /tar\.gz/);
  });

  it('publishes run events on /api/v1/events, over WebSocket and SSE', async () => {
    const job = await createJob({ cmd: 'true' });
    const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/api/v1/events`);
    const states: string[] = [];
    const done = new Promise<void>((resolve) => {
      ws.onmessage = (e) => {
        const event = JSON.parse(String(e.data));
        if (event.type === 'run' && event.run.jobId === job.id) {
          states.push(`${event.run.state}:${event.run.jobName}`);
          if (event.run.state === 'succeeded') resolve();
        }
      };
    });
    await new Promise((resolve) => (ws.onopen = resolve));
    const sse = await fetch(`${agent.url}/api/v1/events`);
    assert.match(sse.headers.get('content-type') ?? '', /text\/event-stream/);
    await runJob(job.id);
    await done;
    ws.close();
    assert.deepEqual(
      states,
      ['queued', 'running', 'succeeded'].map((s) => `${s}:${job.name}`),
    );
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('"state":"succeeded"')) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    assert.match(text, /event: run\ndata: \{"type":"run","run":\{/);
  });

  it('posts signed webhooks when a run fails', async () => {
    const received: { body: string; signature: string | undefined; event: string | undefined }[] =
      [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        received.push({
          body,
          signature: req.headers['x-bosun-signature'] as string | undefined,
          event: req.headers['x-bosun-event'] as string | undefined,
        });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const job = await createJob({
        cmd: 'exit 1',
        webhooks: [
          { url: `http://127.0.0.1:${port}/hook`, events: ['failed'], secret: 's3cret-value' },
        ],
      });
      const shown = (await api('GET', `/api/v1/jobs/${job.id}`)).body;
      assert.equal(shown.webhooks[0].secret, '***');
      const runId = await runJob(job.id);
      const hook = await waitFor('a webhook delivery', async () => received[0]);
      assert.equal(hook.event, 'failed');
      const payload = JSON.parse(hook.body);
      assert.equal(payload.run.id, runId);
      assert.equal(payload.job.id, job.id);
      const expected = `sha256=${createHmac('sha256', 's3cret-value').update(hook.body).digest('hex')}`;
      assert.equal(hook.signature, expected);
    } finally {
      server.close();
    }
  });

  it('masks secret-looking env values and keeps them when "***" is sent back', async () => {
    const job = await createJob({
      cmd: 'echo $DB_PASSWORD',
      env: { DB_PASSWORD: 'hunter2', MODE: 'x' },
    });
    const shown = (await api('GET', `/api/v1/jobs/${job.id}`)).body;
    assert.deepEqual(shown.env, { DB_PASSWORD: '***', MODE: 'x' });
    const {
      id: _id,
      version: _v,
      createdAt: _c,
      updatedAt: _u,
      package: _p,
      nextRunAt: _n,
      lastRun: _l,
      ...body
    } = shown;
    body.schedules = [];
    assert.equal((await api('PUT', `/api/v1/jobs/${job.id}`, body)).status, 200);
    const run = await waitRunEnd(api, await runJob(job.id));
    assert.equal((await api('GET', `/api/v1/runs/${run.id}/log`)).body, 'hunter2\n');
  });
});

describe('jobs API: listing a page at a time', () => {
  it('pages GET /api/v1/jobs by id with limit and nextCursor, and refuses bad paging', async () => {
    for (let i = 0; i < 3; i++) await createJob({ cmd: 'true' });
    const all = (await api('GET', '/api/v1/jobs')).body as {
      jobs: { id: string }[];
      nextCursor: null;
    };
    assert.equal(all.nextCursor, null);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/api/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.jobs.length <= 2);
      seen.push(...res.body.jobs.map((j: { id: string }) => j.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(
      seen,
      all.jobs.map((j) => j.id),
    );

    for (const [query, pattern] of [
      ['limit=0', /limit/],
      ['limit=many', /limit/],
      ['limit=2&cursor=abc', /cursor/],
      ['limit=1001', /limit/],
      [`name=${'x'.repeat(201)}`, /name/],
      ['kind=shell', /kind/],
      ['limt=2', /limt/],
    ] as const) {
      const res = await api('GET', `/api/v1/jobs?${query}`);
      assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.message, pattern, query);
    }
  });
});

describe('jobs API: listing by name', () => {
  it('lists the jobs whose name starts with `name`, in name order, a page at a time', async () => {
    for (const name of ['nightly-b', 'nightly-a', 'weekly-a', 'nightly-c']) {
      await createJob({ name, cmd: 'true' });
    }
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(
        'GET',
        `/api/v1/jobs?name=nightly-&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      names.push(...res.body.jobs.map((j: { name: string }) => j.name));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(names, ['nightly-a', 'nightly-b', 'nightly-c']);
    const none = await api('GET', '/api/v1/jobs?name=monthly');
    assert.deepEqual(none.body.jobs, []);
    assert.equal(none.body.nextCursor, null);
    // An empty prefix: every job, in name order; the total counts every job whatever the filter.
    const all = await api('GET', '/api/v1/jobs?name=&limit=1000');
    const every = all.body.jobs.map((j: { name: string }) => j.name);
    assert.deepEqual(every, [...every].sort());
    assert.equal(all.body.total, every.length);
    assert.equal(none.body.total, every.length);
  });
});

describe('jobs API: bad input', () => {
  const cases: [string, unknown, RegExp][] = [
    [
      'an invalid cron expression',
      { cmd: 'x', schedules: [{ kind: 'cron', expr: '61 * * * *' }] },
      /schedules\[0\]\.expr/,
    ],
    [
      'an unknown time zone',
      { cmd: 'x', schedules: [{ kind: 'cron', expr: '* * * * *', tz: 'Mars/Base' }] },
      /schedules\[0\]\.tz/,
    ],
    [
      'an impossible Cloudtask combination',
      {
        cmd: 'x',
        schedules: [
          {
            kind: 'cloudtask',
            turnmode: 6,
            interval: 1,
            startdate: '01/01/2026',
            enddate: '',
            starttime: '08:00',
            endtime: '',
            selectat: '2',
            monthlyof: { day: 30, week: '' },
          },
        ],
      },
      /schedules\[0\]\.monthlyof\.day/,
    ],
    [
      'a typo in a field',
      { cmd: 'x', timeoutsec: 5 },
      /unknown field "timeoutsec"; did you mean "timeoutSec"\?/,
    ],
    ['a negative timeout', { cmd: 'x', timeoutSec: -1 }, /timeoutSec/],
    ['a number sent as a string', { cmd: 'x', timeoutSec: '5' }, /"timeoutSec" must be an integer/],
    [
      'a nested number sent as a string',
      { cmd: 'x', retry: { maxAttempts: '2' } },
      /"retry\.maxAttempts" must be an integer/,
    ],
    ['a missing command', {}, /cmd/],
    [
      'an unknown overlap policy',
      { cmd: 'x', overlap: 'sometimes' },
      /overlap.*allow, forbid, queue, replace/,
    ],
    ['an all-digit name', { name: '12345', cmd: 'x' }, /name: must not be all digits/],
  ];
  for (const [what, body, message] of cases) {
    it(`answers ${what} with 400 naming the field`, async () => {
      const res = await api('POST', '/api/v1/jobs', { name: unique('bad'), ...(body as object) });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.match(res.body.error.message, message);
    });
  }

  it('answers malformed JSON and a non-object body with 400 and a huge body with 413, never 500', async () => {
    for (const body of ['{"name": ', '[1,2]', '"text"']) {
      const res = await api('POST', '/api/v1/jobs', body);
      assert.equal(res.status, 400, `${body}: ${JSON.stringify(res.body)}`);
    }
    const huge = await api('POST', '/api/v1/jobs', { name: 'huge', cmd: 'x'.repeat(2 << 20) });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(huge.body.error.message, /at most 1048576 bytes/);
  });

  it('answers unknown job and run ids with 404', async () => {
    for (const path of ['/api/v1/jobs/999999', '/api/v1/runs/999999', '/api/v1/runs/999999/log']) {
      const res = await api('GET', path);
      assert.equal(res.status, 404, path);
      assert.match(res.body.error.message, /does not exist/);
    }
    assert.equal((await api('POST', '/api/v1/jobs/nope/run')).status, 404);
    assert.equal((await api('POST', '/api/v1/runs/999999/stop')).status, 404);
    assert.equal((await api('GET', '/api/v1/runs/not-a-number')).status, 400);
  });

  it('answers bad query values with 400 naming the parameter', async () => {
    const res = await api('GET', '/api/v1/runs?limit=0');
    assert.equal(res.status, 400);
    assert.match(res.body.error.message, /limit/);
    const state = await api('GET', '/api/v1/runs?state=done');
    assert.equal(state.status, 400);
    assert.match(state.body.error.message, /state/);
  });

  it('answers bad changes, counts, keys and package bodies with 400 naming what is wrong', async () => {
    const job = await createJob({ cmd: 'true' });
    const checks: [string, string, unknown, Record<string, string>, RegExp][] = [
      ['PATCH', `/api/v1/jobs/${job.id}`, {}, {}, /body/],
      ['PATCH', `/api/v1/jobs/${job.id}`, { enabeld: false }, {}, /did you mean "enabled"/],
      ['PUT', `/api/v1/jobs/${job.id}`, { name: job.name }, {}, /cmd/],
      ['GET', `/api/v1/jobs/${job.id}/next?count=0`, undefined, {}, /count/],
      [
        'POST',
        `/api/v1/jobs/${job.id}/run`,
        undefined,
        { 'idempotency-key': 'k'.repeat(300) },
        /idempotency-key/,
      ],
      ['PUT', `/api/v1/jobs/${job.id}/package`, { not: 'an archive' }, {}, /application\/gzip/],
    ];
    for (const [method, path, body, headers, message] of checks) {
      const res = await api(method, path, body, headers);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'INVALID_INPUT');
      assert.match(res.body.error.message, message, `${method} ${path}`);
    }
  });

  it('refuses a second job with the same name with 409', async () => {
    const name = unique('dup');
    assert.equal((await api('POST', '/api/v1/jobs', { name, cmd: 'x' })).status, 201);
    const res = await api('POST', '/api/v1/jobs', { name, cmd: 'x' });
    assert.equal(res.status, 409);
    assert.match(res.body.error.message, /already exists/);
  });
});
