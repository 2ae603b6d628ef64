// Fault injection on a three-agent cluster sharing one PostgreSQL, as an operator meets it: an agent
// partitioned from the database, paused (SIGSTOP) beyond its lease and inside a transaction, killed
// (SIGKILL, alone and together with its spawn helper) and restarted, and PostgreSQL restarted under
// load. Each scenario is judged from the store and from the processes themselves (/proc is sampled
// for the jobs' processes): 0 overlapping live executions of a job, 0 duplicate fires, 0 orphans after
// a restart, 0 agent crashes, and failover within 15 s. The server is the file's own: it is restarted.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { readPidStat as readProcStat } from '../src/proc/pid-stat.ts';
import { SESSION_BOUNDS } from '../src/store/postgres/postgres-store.ts';
import { spawnHelperOf, startAgent, type RunningAgent } from './support/agent.ts';
import { apiClient, waitFor, waitRunEnd } from './support/api.ts';
import { createTestDatabase, startPostgres, type TestPostgres } from './support/postgres.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

/** Failover target: a dead node's run runs again within this long of its death. */
const FAILOVER_MS = 15_000;

interface Node {
  agent: RunningAgent;
  proxy: TcpProxy;
  id: string;
  api: ReturnType<typeof apiClient>;
}

interface RunView {
  id: string;
  state: string;
  attempt: number;
  node: string | null;
  startedAt: string | null;
  error: string | null;
}

let server: TestPostgres;
let database: { url: string; drop(): Promise<void> };
const nodes: Node[] = [];
let marker = 20_000 + (process.pid % 9000);

async function startNode(dataDir?: string, proxy?: TcpProxy): Promise<Node> {
  const url = new URL(database.url);
  proxy ??= await startTcpProxy(Number(url.port));
  url.port = String(proxy.port);
  const agent = await startAgent({
    args: ['--store', url.toString(), '--heartbeat', '1s'],
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  const id = readFileSync(`${agent.dataDir}/node-id`, 'utf8').trim();
  return { agent, proxy, id, api: apiClient(agent.url) };
}

before(async () => {
  server = await startPostgres({ own: true });
  database = await createTestDatabase(server.url);
  for (let i = 0; i < 3; i++) nodes.push(await startNode());
});

after(async () => {
  for (const node of nodes) {
    node.proxy.heal();
    node.agent.child.kill('SIGCONT'); // a failed test may leave it stopped
    await node.agent.stop();
    rmSync(node.agent.dataDir, { recursive: true, force: true });
    await node.proxy.close();
  }
  await database?.drop();
  await server?.stop();
});

/** The processes of the jobs under test: `sleep <marker>`, by the run id in their environment. */
function liveRuns(tag: number): Map<string, number[]> {
  const runs = new Map<string, number[]>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1') !== `sleep\0${tag}\0`) continue;
      if (readProcStat(pid)?.state === 'Z') continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      const runId = env.find((e) => e.startsWith('BOSUN_RUN_ID='))?.slice(13) ?? '?';
      runs.set(runId, [...(runs.get(runId) ?? []), Number(pid)]);
    } catch {
      // exited meanwhile
    }
  }
  return runs;
}

/** Samples the job's processes every 50 ms; `overlaps` counts samples with two runs alive at once. */
function watchProcesses(tag: number) {
  let overlaps = 0;
  const seen = new Set<string>();
  const timer = setInterval(() => {
    const live = liveRuns(tag);
    for (const runId of live.keys()) seen.add(runId);
    if (live.size > 1) overlaps++;
  }, 50);
  timer.unref(); // a failed assertion must not keep the file running
  return {
    stop() {
      clearInterval(timer);
      return { overlaps, seen };
    },
  };
}

/**
 * A job that runs `sleep <tag>` and is retried once when lost, forbid overlap; its first run, the
 * node that runs it, another node, and a watch on its processes from the moment it runs.
 */
async function startLongRun(api: Node['api']) {
  const tag = ++marker;
  const created = await api('POST', '/api/v1/jobs', {
    name: `fault-${tag}`,
    cmd: `sleep ${tag}`,
    overlap: 'forbid',
    retry: { maxAttempts: 2, backoffSec: 0, maxBackoffSec: 0 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const jobId = String(created.body.id);
  assert.equal((await api('POST', `/api/v1/jobs/${jobId}/run`)).status, 202);
  const run = await waitFor('the run to start', async () => {
    const [latest] = await runsOf(api, jobId);
    return latest?.state === 'running' && liveRuns(tag).has(latest.id) ? latest : undefined;
  });
  const owner = ownerOf(run);
  const other = nodes.find((n) => n !== owner) as Node;
  return { tag, jobId, run, owner, other, watch: watchProcesses(tag) };
}

async function runsOf(api: Node['api'], jobId: string): Promise<RunView[]> {
  const { body } = await api('GET', `/api/v1/runs?jobId=${jobId}`);
  return body.runs as RunView[];
}

const ownerOf = (run: RunView): Node => {
  const node = nodes.find((n) => n.id === run.node);
  assert.ok(node, `run ${run.id} is on an unknown node ${run.node}`);
  return node;
};

/** The retry of the run that another node started, and how long after `since` it started. */
async function retryStarted(api: Node['api'], jobId: string, since: number, owner: Node) {
  const retry = await waitFor(
    'the retry to start on another node',
    async () => {
      const runs = await runsOf(api, jobId);
      return runs.find((r) => r.attempt === 2 && r.state === 'running' && r.startedAt !== null);
    },
    FAILOVER_MS + 15_000,
  );
  assert.notEqual(retry.node, owner.id, 'the retry runs on a live node');
  return { retry, afterMs: Date.parse(retry.startedAt as string) - since };
}

const alive = (node: Node): boolean =>
  node.agent.child.exitCode === null && node.agent.child.signalCode !== 'SIGKILL';

describe('a three-agent cluster under faults', { timeout: 240_000 }, () => {
  it('partition: the cut-off owner stops its run before another node starts it again', async (t) => {
    const { jobId, run, owner, other, watch } = await startLongRun(nodes[0]!.api);
    const cutAt = Date.now();
    owner.proxy.blackhole();
    const { retry, afterMs } = await retryStarted(other.api, jobId, cutAt, owner);
    owner.proxy.heal();
    await sleep(500);
    const { overlaps, seen } = watch.stop();
    assert.equal(overlaps, 0, 'never two live executions of the job');
    assert.ok(seen.has(retry.id));
    assert.ok(afterMs <= FAILOVER_MS, `failover took ${afterMs} ms`);
    t.diagnostic(`failover in ${afterMs} ms`);
    const first = (await runsOf(other.api, jobId)).find((r) => r.id === run.id);
    assert.equal(first?.state, 'lost');
    // The owner is back: its store is reachable again, and it did not crash.
    await waitFor('the owner to reach the store again', async () => {
      const { body } = await owner.api('GET', '/healthz');
      return body.store === 'ok' ? true : undefined;
    });
    await other.api('POST', `/api/v1/runs/${retry.id}/stop`);
  });

  it('SIGSTOP beyond the lease: the spawn helper kills the run while the agent is stopped', async (t) => {
    const { tag, jobId, run, owner, other, watch } = await startLongRun(nodes[1]!.api);
    const stoppedAt = Date.now();
    owner.agent.child.kill('SIGSTOP');
    try {
      await waitFor('the stopped owner’s run to be killed', async () =>
        liveRuns(tag).has(run.id) ? undefined : true,
      );
      assert.equal(owner.agent.child.exitCode, null);
      const { afterMs } = await retryStarted(other.api, jobId, stoppedAt, owner);
      assert.ok(afterMs <= FAILOVER_MS, `failover took ${afterMs} ms`);
      t.diagnostic(`failover in ${afterMs} ms`);
    } finally {
      owner.agent.child.kill('SIGCONT');
    }
    await sleep(3000); // the owner wakes, finds its lease lost, and goes on
    const { overlaps } = watch.stop();
    assert.equal(overlaps, 0, 'never two live executions of the job');
    assert.ok(alive(owner), 'the paused agent did not crash');
    const { body } = await owner.api('GET', '/healthz');
    assert.equal(body.store, 'ok');
  });

  it('SIGSTOP inside a transaction: the held row lock is released and the run fails over', async (t) => {
    const { jobId, run, owner, other, watch } = await startLongRun(nodes[2]!.api);
    // The owner's transaction, stalled with the run's row locked: a connection with the agent's
    // own session bounds, holding the lock and then silent, as a SIGSTOPped agent's would be.
    const stalled = new pg.Client({ connectionString: database.url, ...SESSION_BOUNDS });
    const ended = new Promise<Error>((resolve) => stalled.on('error', resolve));
    await stalled.connect();
    await stalled.query('begin');
    await stalled.query('select id from runs where id = $1 for update', [run.id]);
    const stoppedAt = Date.now();
    owner.agent.child.kill('SIGSTOP');
    try {
      const { afterMs } = await retryStarted(other.api, jobId, stoppedAt, owner);
      assert.ok(afterMs <= FAILOVER_MS, `failover took ${afterMs} ms`);
      t.diagnostic(`failover in ${afterMs} ms`);
      const err = await ended;
      assert.match(err.message, /idle-in-transaction/);
    } finally {
      owner.agent.child.kill('SIGCONT');
      await stalled.end().catch(() => {});
    }
    await sleep(2000);
    assert.equal(watch.stop().overlaps, 0, 'never two live executions of the job');
    assert.ok(alive(owner));
  });

  it('SIGKILL: the run dies with its agent, fails over, and a restart leaves no orphan', async (t) => {
    const { tag, jobId, run, owner, other, watch } = await startLongRun(nodes[0]!.api);
    const killedAt = Date.now();
    owner.agent.child.kill('SIGKILL');
    await waitFor('the dead agent’s run to be killed by its spawn helper', async () =>
      liveRuns(tag).has(run.id) ? undefined : true,
    );
    const { retry, afterMs } = await retryStarted(other.api, jobId, killedAt, owner);
    assert.ok(afterMs <= FAILOVER_MS, `failover took ${afterMs} ms`);
    t.diagnostic(`failover in ${afterMs} ms`);
    assert.equal(watch.stop().overlaps, 0);
    await other.api('POST', `/api/v1/runs/${retry.id}/stop`);

    // Now the agent and its spawn helper die together: the run is left behind, an orphan,
    // until the agent comes back on its data dir and kills it from its journal.
    const restarted = await startNode(owner.agent.dataDir, owner.proxy);
    nodes[nodes.indexOf(owner)] = restarted;
    const second = await startLongRun(restarted.api);
    const secondOwner = second.owner;
    const helper = spawnHelperOf(secondOwner.agent.child.pid as number);
    secondOwner.agent.child.kill('SIGKILL');
    process.kill(helper, 'SIGKILL');
    await sleep(300);
    assert.ok(liveRuns(second.tag).has(second.run.id), 'an orphan, with nobody to kill it');
    const back = await startNode(secondOwner.agent.dataDir, secondOwner.proxy);
    nodes[nodes.indexOf(secondOwner)] = back;
    assert.equal(liveRuns(second.tag).has(second.run.id), false, 'killed as the agent started');
    assert.match(back.agent.stdout(), /killed a run left behind by the previous agent/);
    await waitFor('the orphaned run to be retried', async () => {
      const runs = await runsOf(back.api, second.jobId);
      return runs.find((r) => r.attempt === 2 && r.state === 'running');
    });
    assert.equal(second.watch.stop().overlaps, 0);
  });

  it('PostgreSQL restarts under load: no crash, no duplicate fire, no run killed', async (t) => {
    const api = nodes[0]!.api;
    const jobs: string[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await api('POST', '/api/v1/jobs', {
        name: `load-${marker}-${i}`,
        cmd: 'true',
        schedules: [{ kind: 'every', everySec: 1 }],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      jobs.push(String(created.body.id));
    }
    const { tag, jobId, run, watch } = await startLongRun(api);
    await sleep(3000);
    const restartedAt = Date.now();
    await server.restart();
    t.diagnostic(`PostgreSQL restarted in ${Date.now() - restartedAt} ms`);
    await sleep(3000);
    // A longer outage, as a slow restart or a failover of the database would be: ~4.5 s. A run
    // prints, and ends inside it: its output and its end are stored once the database is back,
    // and it is not taken for lost and run again.
    const brief = await api('POST', '/api/v1/jobs', {
      name: `brief-${marker}`,
      cmd: 'echo before; sleep 1.5; echo after',
      retry: { maxAttempts: 2, backoffSec: 0, maxBackoffSec: 0 },
    });
    assert.equal(brief.status, 201, JSON.stringify(brief.body));
    const briefRun = (await api('POST', `/api/v1/jobs/${brief.body.id}/run`)).body.id as string;
    await waitFor('the brief run to start', async () => {
      const { body } = await api('GET', `/api/v1/runs/${briefRun}`);
      return body.state === 'running' ? true : undefined;
    });
    const downAt = Date.now();
    const stopped = await server.down();
    await sleep(3800);
    await stopped.up();
    t.diagnostic(`PostgreSQL down for ${Date.now() - downAt} ms`);
    await sleep(6000);
    assert.ok(nodes.every(alive), 'every agent is still running');
    // The long run rode out the restart: same run, same process.
    assert.ok(liveRuns(tag).has(run.id), 'the long run was not killed');
    const ended = await waitRunEnd(api, briefRun);
    assert.equal(ended.state, 'succeeded', JSON.stringify(ended));
    assert.equal(ended.attempt, 1);
    const log = await fetch(`${nodes[0]!.agent.url}/api/v1/runs/${briefRun}/log`);
    assert.equal(await log.text(), 'before\nafter\n');
    assert.equal((await runsOf(api, String(brief.body.id))).length, 1, 'no retry of it');
    assert.equal(watch.stop().overlaps, 0);
    const current = (await runsOf(api, jobId)).find((r) => r.id === run.id);
    assert.equal(current?.state, 'running');

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const dupes = await db.query(
        `select schedule_id, scheduled_for, count(*) from runs where trigger = 'schedule'
         group by 1, 2 having count(*) > 1`,
      );
      assert.equal(dupes.rowCount, 0, 'every fire made one run');
      const after = await db.query(
        `select count(*)::int as n from runs where job_id = any($1::bigint[])
         and state = 'succeeded' and started_at > $2`,
        [jobs, restartedAt + 2000],
      );
      assert.ok(after.rows[0].n > 0, 'fires run again after the restart');
      const lost = await db.query(
        `select count(*)::int as n from runs where error like '%lease%'
        and finished_at > $1`,
        [restartedAt],
      );
      assert.equal(lost.rows[0].n, 0, 'no run lost its lease over a short restart');
    } finally {
      await db.end();
    }
    for (const id of [...jobs, String(brief.body.id)]) await api('DELETE', `/api/v1/jobs/${id}`);
    await api('POST', `/api/v1/runs/${run.id}/stop`);
  });
});
