// runClientCommand against a fake fetch that answers like docs/api.md: which requests each command
// makes, what it prints, and its exit code. No agent, no sockets.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { ClientCommandName, ClientFlags } from './program.ts';
import { runClientCommand } from './run-client.ts';

interface Call {
  method: string;
  path: string;
  body: unknown;
  auth: string | undefined;
}

type Route = (call: Call) => Response;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const JOB = {
  id: '11',
  name: 'backup',
  enabled: true,
  schedules: [],
  nextRunAt: null,
  lastRun: null,
};

async function run(
  name: ClientCommandName,
  args: string[],
  flags: ClientFlags,
  routes: Record<string, Route>,
  opts: { stdin?: string; env?: Record<string, string> } = {},
) {
  const calls: Call[] = [];
  let stdout = '';
  let stderr = '';
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const call: Call = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
      auth: headers.get('authorization') ?? undefined,
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    if (route) return route(call);
    return json(404, {
      error: { code: 'NOT_FOUND', message: `no route ${call.method} ${call.path}` },
    });
  }) as typeof fetch;
  const code = await runClientCommand(name, args, flags, {
    env: opts.env ?? {},
    stdout: { write: (c) => (stdout += typeof c === 'string' ? c : Buffer.from(c).toString()) },
    stderr: { write: (c) => (stderr += String(c)) },
    readStdin: async () => opts.stdin ?? '',
    now: () => Date.parse('2026-11-23T14:00:00.000Z'),
    fetch: fakeFetch,
  });
  return { code, stdout, stderr, calls };
}

describe('runClientCommand', () => {
  it('sends the token and uses BOSUN_URL', async () => {
    const r = await run(
      'jobs ls',
      [],
      {},
      { 'GET /api/v1/jobs?limit=50': () => json(200, { jobs: [], nextCursor: null }) },
      {
        env: { BOSUN_URL: 'http://agent:9000/', BOSUN_TOKEN: 'secret-token' },
      },
    );
    assert.equal(r.code, 0);
    assert.equal(r.calls[0]?.auth, 'Bearer secret-token');
    assert.match(r.stdout, /no jobs yet/);
  });

  it('lists jobs a page at a time: the cursor to go on, or every page with --all', async () => {
    const second = { ...JOB, id: '12', name: 'backup-2' };
    const routes = {
      'GET /api/v1/jobs?limit=1&name=backup': () => json(200, { jobs: [JOB], nextCursor: '11' }),
      'GET /api/v1/jobs?limit=1&name=backup&cursor=11': () =>
        json(200, { jobs: [second], nextCursor: null }),
    };
    const one = await run('jobs ls', [], { limit: 1, name: 'backup' }, routes);
    assert.equal(one.code, 0);
    assert.match(one.stdout, /backup/);
    assert.doesNotMatch(one.stdout, /backup-2/);
    assert.match(one.stderr, /more: bosun jobs ls --name "backup" --cursor 11/);

    const all = await run('jobs ls', [], { limit: 1, name: 'backup', all: true }, routes);
    assert.equal(all.code, 0);
    assert.deepEqual(
      all.calls.map((c) => c.path),
      ['/api/v1/jobs?limit=1&name=backup', '/api/v1/jobs?limit=1&name=backup&cursor=11'],
    );
    assert.match(all.stdout, /backup-2/);
    assert.equal(all.stderr, '');

    const asJson = await run(
      'jobs ls',
      [],
      { limit: 1, name: 'backup', all: true, json: true },
      routes,
    );
    assert.deepEqual(
      JSON.parse(asJson.stdout).jobs.map((j: { id: string }) => j.id),
      ['11', '12'],
    );

    const tooMany = await run('jobs ls', [], { limit: 5000 }, routes);
    assert.notEqual(tooMany.code, 0);
    assert.match(tooMany.stderr, /--limit is at most 1000/);
  });

  it('creates a job from stdin, and with --update replaces the one of that name', async () => {
    const yaml = 'name: backup\ncmd: echo hi\n';
    const created = await run(
      'jobs add',
      [],
      { file: '-' },
      {
        'POST /api/v1/jobs': () => json(201, JOB),
      },
      { stdin: yaml },
    );
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(created.calls[0]?.body, { name: 'backup', cmd: 'echo hi' });
    assert.match(
      created.stdout,
      /^created job backup \(id 11\): no scheduled run; start it with: bosun jobs run backup$/m,
    );

    const updated = await run(
      'jobs add',
      [],
      { file: '-', update: true },
      { 'PUT /api/v1/jobs/by-name/backup': () => json(200, JOB) },
      { stdin: yaml },
    );
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(
      updated.calls.map((c) => `${c.method} ${c.path}`),
      ['PUT /api/v1/jobs/by-name/backup'],
      'one request, whether the job exists or not',
    );
    assert.deepEqual(updated.calls[0]?.body, { name: 'backup', cmd: 'echo hi' });
    assert.match(updated.stdout, /^updated job backup/);

    const upserted = await run(
      'jobs add',
      [],
      { file: '-', update: true },
      { 'PUT /api/v1/jobs/by-name/backup': () => json(201, JOB) },
      { stdin: yaml },
    );
    assert.equal(upserted.code, 0, upserted.stderr);
    assert.match(upserted.stdout, /^created job backup/);
  });

  it('looks a job name up before changing it', async () => {
    const r = await run(
      'jobs disable',
      ['backup'],
      {},
      {
        'GET /api/v1/jobs/backup': () => json(200, JOB),
        'PATCH /api/v1/jobs/11': () => json(200, { ...JOB, enabled: false }),
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.calls[1]?.body, { enabled: false });
    assert.equal(r.stdout, 'disabled job backup (id 11)\n');
  });

  it("submits a pipeline by --name, else the config's job.name, else the file's name, in one upsert", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-submit-'));
    try {
      const conf = path.join(dir, 'copy.conf');
      // job.name in a HOCON object, after a comment that looks like one: read by the parser.
      writeFileSync(
        conf,
        '# job.name = "not this"\nenv { job.mode = BATCH, job.name = nightly }\nsource { FakeSource {} }\nsink { Console {} }\n',
      );
      const bare = path.join(dir, 'bare.json');
      writeFileSync(bare, JSON.stringify({ source: [{ plugin_name: 'FakeSource' }] }));
      const RUN = { id: '77', state: 'queued' };
      const answer = (status: number) => (call: Call) => {
        const name = decodeURIComponent(call.path.split('/').pop() ?? '');
        return json(status, { ...JOB, name });
      };
      const routes = (status: number, name: string) => ({
        [`PUT /api/v1/jobs/by-name/${name}`]: answer(status),
        'POST /api/v1/jobs/11/run': () => json(202, RUN),
      });

      const fromConfig = await run('submit', [conf], {}, routes(201, 'nightly'));
      assert.equal(fromConfig.code, 0, fromConfig.stderr);
      assert.deepEqual(
        fromConfig.calls.map((c) => `${c.method} ${c.path}`),
        ['PUT /api/v1/jobs/by-name/nightly', 'POST /api/v1/jobs/11/run'],
      );
      assert.deepEqual(fromConfig.calls[0]?.body, {
        kind: 'pipeline',
        pipeline: { format: 'hocon', config: readFileSync(conf, 'utf8') },
      });
      assert.equal(fromConfig.stdout, '77\n');
      assert.match(fromConfig.stderr, /created pipeline nightly \(id 11\): run 77/);

      const named = await run('submit', [conf], { name: 'my copy' }, routes(200, 'my%20copy'));
      assert.equal(named.code, 0, named.stderr);
      assert.match(named.stderr, /replaced pipeline my copy/);

      const byFile = await run('submit', [bare], {}, routes(201, 'bare'));
      assert.equal(byFile.code, 0, byFile.stderr);
      assert.equal(byFile.calls[0]?.path, '/api/v1/jobs/by-name/bare');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops a job in one request, and exits 1 when nothing of it was going', async () => {
    const stopped = await run(
      'stop',
      ['nightly'],
      { savepoint: true },
      {
        'POST /api/v1/jobs/nightly/stop?savepoint=true': () =>
          json(202, { runs: [{ id: '5' }, { id: '6' }] }),
      },
    );
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.calls.length, 1);
    assert.equal(
      stopped.stdout,
      'stopping runs 5, 6 with a savepoint; resume it with: bosun resume nightly\n',
    );
    const idle = await run(
      'stop',
      ['nightly'],
      {},
      { 'POST /api/v1/jobs/nightly/stop': () => json(202, { runs: [] }) },
    );
    assert.equal(idle.code, 1);
    assert.match(idle.stderr, /job nightly has no running run/);
  });

  it('follows a run and exits with its exit code', async () => {
    let polls = 0;
    const r = await run(
      'jobs run',
      ['11'],
      { follow: true },
      {
        'POST /api/v1/jobs/11/run': () => json(202, { id: '99', state: 'queued' }),
        'GET /api/v1/runs/99/log?follow=1': () => new Response('hello\nworld\n'),
        // The final state lands a moment after the log ends.
        'GET /api/v1/runs/99': () =>
          json(
            200,
            polls++ === 0
              ? { id: '99', state: 'running' }
              : { id: '99', state: 'failed', exitCode: 3, error: 'exited with code 3' },
          ),
      },
    );
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'hello\nworld\n');
    assert.match(r.stderr, /run 99 started/);
    assert.match(r.stderr, /bosun: run 99 failed \(exit code 3, exited with code 3\)/);
  });

  it('exits 1 for a run that failed without an exit code, 0 for success', async () => {
    const routes = (final: object): Record<string, Route> => ({
      'POST /api/v1/jobs/11/run': () => json(202, { id: '99', state: 'queued' }),
      'GET /api/v1/runs/99/log?follow=1': () => new Response(''),
      'GET /api/v1/runs/99': () => json(200, { id: '99', ...final }),
    });
    const lost = await run(
      'jobs run',
      ['11'],
      { follow: true },
      routes({ state: 'timed_out', exitCode: null, signal: 'SIGTERM' }),
    );
    assert.equal(lost.code, 1);
    const ok = await run(
      'jobs run',
      ['11'],
      { follow: true },
      routes({ state: 'succeeded', exitCode: 0 }),
    );
    assert.equal(ok.code, 0);
  });

  it("prints the API's error message and exits 66 for what is not found", async () => {
    const r = await run(
      'jobs show',
      ['nope'],
      {},
      {
        'GET /api/v1/jobs/nope': () =>
          json(404, { error: { code: 'NOT_FOUND', message: 'no job "nope"' } }),
      },
    );
    assert.equal(r.code, 66);
    assert.equal(r.stderr, 'bosun: no job "nope"\n');
  });

  it('prints the error as JSON under --json, with its code', async () => {
    const r = await run(
      'jobs show',
      ['nope'],
      { json: true },
      {
        'GET /api/v1/jobs/nope': () =>
          json(404, { error: { code: 'NOT_FOUND', message: 'no job "nope"' } }),
      },
    );
    assert.equal(r.code, 66);
    assert.equal(r.stdout, '', 'stdout keeps only data');
    assert.deepEqual(JSON.parse(r.stderr), {
      error: { code: 'NOT_FOUND', message: 'no job "nope"', exitCode: 66 },
    });
  });

  it('says to set BOSUN_TOKEN on 401, and exits 77', async () => {
    const r = await run(
      'runs ls',
      [],
      {},
      {
        'GET /api/v1/runs': () =>
          json(401, { error: { code: 'UNAUTHORIZED', message: 'token required' } }),
      },
    );
    assert.equal(r.code, 77);
    assert.match(r.stderr, /needs a token: set BOSUN_TOKEN/);
  });

  it('passes the run filters and resolves --job by name', async () => {
    const r = await run(
      'runs ls',
      [],
      { job: 'backup', state: 'failed', limit: 2, json: true },
      {
        'GET /api/v1/jobs/backup': () => json(200, JOB),
        'GET /api/v1/runs?jobId=11&state=failed&limit=2': () =>
          json(200, { runs: [], nextCursor: null }),
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { runs: [], nextCursor: null });
  });

  it('names the agent and the fix when nothing listens, and exits 69', async () => {
    const code = await runClientCommand(
      'jobs ls',
      [],
      { url: 'http://127.0.0.1:9' },
      {
        env: {},
        stdout: { write: () => true },
        stderr: {
          write: (c) =>
            assert.equal(
              String(c),
              'bosun: cannot reach the agent at http://127.0.0.1:9: is `bosun serve` running? (set --url or BOSUN_URL)\n',
            ),
        },
        readStdin: async () => '',
        now: Date.now,
        fetch: (async () => {
          throw new TypeError('fetch failed', {
            cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          });
        }) as typeof fetch,
      },
    );
    assert.equal(code, 69);
  });
});
