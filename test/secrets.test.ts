// Secrets stay secret (issue 21): the data dir and the store files are the agent's user's alone; no
// process listing the agent serves or stores shows a secret from a command line, its own --token
// included; a password inside a Jdbc url is masked wherever a job's config is shown.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { runBosun, startAgent, type RunningAgent } from './support/agent.ts';
import { apiClient, waitFor } from './support/api.ts';
import { startInProcessAgent, type InProcessAgent } from './support/in-process-agent.ts';

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** The store's own rows, read beside the running agent. */
const query = (dataDir: string, sql: string): Array<Record<string, unknown>> => {
  const db = new DatabaseSync(path.join(dataDir, 'bosun.db'), { readOnly: true });
  try {
    return db.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
};

describe('the data dir', () => {
  const checkPrivate = (dataDir: string) => {
    assert.equal(modeOf(dataDir).toString(8), '700');
    const files = readdirSync(dataDir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
    for (const name of ['bosun.db', 'bosun.db-wal', 'bosun.db-shm', 'node-id']) {
      assert.ok(files.includes(name), `${name} in ${files.join(', ')}`);
    }
    for (const name of files) {
      assert.equal(modeOf(path.join(dataDir, name)).toString(8), '600', name);
    }
  };

  it('is created 0700 with the store files and the node id 0600', async () => {
    const agent = await startInProcessAgent();
    try {
      checkPrivate(agent.dataDir);
    } finally {
      await agent.stop();
    }
  });

  it('is tightened at start when it was left readable by others', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-secrets-'));
    try {
      const first = await startInProcessAgent({ 'data-dir': dataDir });
      await first.stop();
      chmodSync(dataDir, 0o755);
      for (const name of readdirSync(dataDir)) chmodSync(path.join(dataDir, name), 0o644);
      const second = await startInProcessAgent({ 'data-dir': dataDir });
      try {
        checkPrivate(dataDir);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('process listings', () => {
  const TOKEN = 'abcdefgh12345678agent';
  const CHILD_SECRETS = ['abcdefgh12345child', 'pw-in-flag-9', 'pw-in-url-9', 'secret-pair-9'];
  let agent: RunningAgent;
  let child: ChildProcess;
  const api = () => apiClient(agent.url, { authorization: `Bearer ${TOKEN}` });

  before(async () => {
    agent = await startAgent({ args: ['--token', TOKEN, '--heartbeat', '1s'] });
    // A real process with secrets in its arguments, sleeping.
    child = spawn(
      process.execPath,
      [
        '-e',
        'setTimeout(() => {}, 30_000)',
        '--',
        '--token',
        'abcdefgh12345child',
        '--password=pw-in-flag-9',
        'postgres://app:pw-in-url-9@db.example/app',
        'secret=secret-pair-9',
      ],
      { stdio: 'ignore' },
    );
  });
  after(async () => {
    child?.kill('SIGKILL');
    await agent?.stop();
  });

  const assertNoSecret = (where: string, text: string) => {
    for (const secret of [TOKEN, ...CHILD_SECRETS]) {
      assert.ok(!text.includes(secret), `${where} shows ${secret}`);
    }
  };

  it("rewrites the agent's own title: /proc/<pid>/cmdline no longer holds the token", () => {
    const cmdline = readFileSync(`/proc/${agent.child.pid}/cmdline`, 'latin1');
    assert.ok(!cmdline.includes(TOKEN), cmdline);
    assert.match(cmdline, /serve --port 0 .*--token \*\*\* /);
  });

  it('masks every command line in /api/v1/processes and /api/v1/snapshot', async () => {
    const row = (body: any, pid: number | undefined) =>
      body.list.find((r: { pid: number }) => r.pid === pid);
    const processes = await waitFor('the child in the process list', async () => {
      const res = await api()('GET', '/api/v1/processes');
      return row(res.body, child.pid) === undefined ? undefined : res;
    });
    assertNoSecret('/api/v1/processes', JSON.stringify(processes.body));
    assert.match(
      row(processes.body, child.pid).command,
      / -- --token \*\*\* --password=\*\*\* postgres:\/\/app:\*\*\*@db.example\/app secret=\*\*\*$/,
    );
    assert.match(row(processes.body, agent.child.pid).command, /--token \*\*\*/);
    // Filtering by a secret finds nothing: the filter sees the masked line too.
    const filtered = await api()('GET', `/api/v1/processes?filter=${TOKEN}`);
    assert.equal(filtered.body.matched, 0);

    const snapshot = await api()('GET', '/api/v1/snapshot');
    assert.equal(snapshot.status, 200);
    assertNoSecret('/api/v1/snapshot', JSON.stringify(snapshot.body));
  });

  it('masks them on the /ws stream and in the samples stored with each heartbeat', async () => {
    const ws = new WebSocket(`${agent.url.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const message = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.close();
    assert.match(message, /--token \*\*\*/);
    assertNoSecret('/ws', message);

    const stored = await waitFor('a stored sample with the child', async () => {
      const [node] = query(agent.dataDir, 'select sample_json from nodes');
      const json = String(node?.sample_json ?? '');
      return json.includes(`"pid":${child.pid},`) ? json : undefined;
    });
    assertNoSecret('the stored sample', stored);
  });
});

describe('a password inside a Jdbc url', () => {
  const SECRETS = ['url-pw-1', 'query-pw-2', 'seatunnel-pw-3'];
  let agent: InProcessAgent;
  const api = () => apiClient(agent.url);
  const assertNoSecret = (where: string, text: string) => {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} shows ${secret}`);
  };
  // Port 1: nothing listens, so a run fails at once without a database.
  const hocon = `env { job.mode = BATCH }
source { FakeSource { result_table_name = fake, row.num = 1, split.read-interval = 0, schema = { fields { name = string } } } }
sink { Jdbc { url = "jdbc:postgresql://app:url-pw-1@127.0.0.1:1/app?sslmode=disable&password=query-pw-2", query = "insert into t (name) values (?)" } }`;
  let nativeId = '';
  let seatunnelId = '';

  before(async () => {
    agent = await startInProcessAgent();
    const created = await api()('POST', '/api/v1/jobs', {
      name: 'jdbc-url-secret',
      kind: 'pipeline',
      pipeline: { format: 'hocon', config: hocon },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertNoSecret('POST /api/v1/jobs', JSON.stringify(created.body));
    nativeId = created.body.id;
    const submitted = await api()('POST', '/submit-job?jobId=4242&jobName=jdbc-url', {
      env: { 'job.mode': 'BATCH', 'job.retry.times': 0, 'sink.token': 'seatunnel-pw-3' },
      source: [
        {
          plugin_name: 'FakeSource',
          result_table_name: 'fake',
          'row.num': 1,
          schema: { fields: { name: 'string' } },
        },
      ],
      sink: [
        {
          plugin_name: 'Jdbc',
          url: 'jdbc:postgresql://app:seatunnel-pw-3@127.0.0.1:1/app',
          query: 'insert into t (name) values (?)',
        },
      ],
    });
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    seatunnelId = String(submitted.body.jobId);
    await waitFor('the SeaTunnel job to fail', async () => {
      const info = await api()('GET', `/job-info/${seatunnelId}`);
      return info.body.jobStatus === 'FAILED' ? info : undefined;
    });
  });
  after(async () => agent?.stop());

  it('is masked by the native API, and kept when the masked config is sent back', async () => {
    const job = await api()('GET', `/api/v1/jobs/${nativeId}`);
    assert.match(
      job.body.pipeline.config,
      /url = "jdbc:postgresql:\/\/app:\*\*\*@127\.0\.0\.1:1\/app\?sslmode=disable&password=\*\*\*"/,
    );
    for (const url of ['/api/v1/jobs', `/api/v1/jobs/${nativeId}`, '/api/v1/runs']) {
      const res = await api()('GET', url);
      assert.equal(res.status, 200);
      assertNoSecret(url, JSON.stringify(res.body));
    }
    const patched = await api()('PATCH', `/api/v1/jobs/${nativeId}`, {
      pipeline: { format: 'hocon', config: job.body.pipeline.config },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const [row] = query(agent.dataDir, `select spec from jobs where id = ${nativeId}`);
    assert.equal(JSON.parse(String(row?.spec)).pipeline.config, hocon);
  });

  it('is masked by every SeaTunnel listing, v1 and v2', async () => {
    for (const prefix of ['/hazelcast/rest/maps', '']) {
      for (const url of [
        `/job-info/${seatunnelId}`,
        `/running-job/${seatunnelId}`,
        '/running-jobs',
        '/finished-jobs',
        '/finished-jobs/FAILED',
      ]) {
        const res = await api()('GET', prefix + url);
        assert.equal(res.status, 200, prefix + url);
        assertNoSecret(prefix + url, JSON.stringify(res.body));
      }
    }
    const info = await api()('GET', `/job-info/${seatunnelId}`);
    assert.equal(info.body.envOptions['sink.token'], '***');
  });

  it('is masked by the Cloudtask listing and the CLI', async () => {
    const cloudtask = await api()('GET', '/cloudtask/v2/jobs');
    assert.equal(cloudtask.status, 200);
    assertNoSecret('/cloudtask/v2/jobs', JSON.stringify(cloudtask.body));
    for (const args of [
      ['jobs', 'ls'],
      ['jobs', 'show', 'jdbc-url-secret'],
      ['jobs', 'show', 'jdbc-url-secret', '--json'],
      ['jobs', 'show', 'seatunnel-4242', '--json'],
      ['runs', 'ls'],
    ]) {
      const out = await runBosun([...args, '--url', agent.url]);
      assert.equal(out.code, 0, `${args.join(' ')}: ${out.stderr}`);
      assertNoSecret(`bosun ${args.join(' ')}`, out.stdout + out.stderr);
    }
  });
});
