// Crash recovery: the agent is killed with SIGKILL during a run and while schedules are due, then
// started again on the same data dir. The orphaned run's process group is killed (from the agent's run
// journal; its spawn helper was killed too), the run ends lost
// and is retried by policy; missed fires follow each job's misfire policy; no fire runs twice.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient, processAlive, waitFor, waitRunEnd } from './support/api.ts';
import { spawnHelperOf, startAgent, type RunningAgent } from './support/agent.ts';

interface RunJson {
  id: string;
  state: string;
  attempt: number;
  trigger: string;
  scheduledFor: string;
  startedAt: string;
  error: string | null;
}

describe('recovery after SIGKILL', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-recovery-'));
  const agents: RunningAgent[] = [];
  after(async () => {
    for (const a of agents) await a.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('marks the interrupted run lost, kills its processes, retries it, and applies misfire policies', async () => {
    const marker = 5000 + (process.pid % 997);
    const first = await startAgent({ dataDir });
    agents.push(first);
    let api = apiClient(first.url);
    const create = async (body: object): Promise<string> => {
      const res = await api('POST', '/api/v1/jobs', body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id;
    };
    const runs = async (jobId: string): Promise<RunJson[]> =>
      (await api('GET', `/api/v1/runs?jobId=${jobId}&limit=500`)).body.runs;

    const long = await create({
      name: 'long',
      // The first attempt hangs (with a grandchild); the retry finishes at once.
      cmd: `if [ "$BOSUN_ATTEMPT" = 1 ]; then sh -c 'sleep ${marker}' & sleep ${marker}.5; fi; echo attempt $BOSUN_ATTEMPT`,
      retry: { maxAttempts: 2, backoffSec: 0, maxBackoffSec: 0 },
    });
    const skip = await create({
      name: 'skip',
      cmd: 'true',
      misfire: 'skip',
      misfireGraceSec: 1,
      schedules: [{ kind: 'every', everySec: 1 }],
    });
    const once = await create({
      name: 'once',
      cmd: 'true',
      misfire: 'once',
      misfireGraceSec: 1,
      schedules: [{ kind: 'every', everySec: 1 }],
    });
    const interrupted = (await api('POST', `/api/v1/jobs/${long}/run`)).body.id as string;
    await waitFor('the long run to start', async () =>
      processAlive(`sleep ${marker}`) ? true : undefined,
    );
    await waitFor('scheduled runs', async () =>
      (await runs(skip)).length >= 2 ? true : undefined,
    );

    // The agent and its spawn helper die together (the helper alone kills the runs of a dead agent):
    // the run outlives them, in its own process group, until the agent starts again.
    const helper = spawnHelperOf(first.child.pid as number);
    first.child.kill('SIGKILL');
    process.kill(helper, 'SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    assert.equal(
      processAlive(`sleep ${marker}`),
      true,
      'the run outlives the agent and its helper',
    );
    const killedAt = Date.now();
    await sleep(4000);

    const restartedAt = Date.now();
    const second = await startAgent({ dataDir });
    agents.push(second);
    api = apiClient(second.url);

    const lost = await waitRunEnd(api, interrupted);
    assert.equal(lost.state, 'lost');
    assert.match(String(lost.error), /agent stopped during the run/);
    await waitFor('the orphaned processes to die', async () =>
      processAlive(`sleep ${marker}`) ? undefined : true,
    );
    const retry = await waitFor('the retry to succeed', async () =>
      (await runs(long)).find((r) => r.attempt === 2 && r.state === 'succeeded'),
    );
    assert.equal(retry.trigger, 'retry');

    // Fires missed while the agent was down: skipped with a reason, or one catch-up run.
    await sleep(1500);
    const skipRuns = await runs(skip);
    const missed = skipRuns.filter(
      (r) => r.state === 'skipped' && /misfire policy skip/.test(String(r.error)),
    );
    assert.ok(missed.length >= 2, `skipped runs: ${JSON.stringify(skipRuns.map((r) => r.error))}`);
    const ranWhileDown = skipRuns.filter((r) => {
      const t = Date.parse(r.scheduledFor);
      return t > killedAt + 100 && t < restartedAt - 1500 && r.state !== 'skipped';
    });
    assert.deepEqual(ranWhileDown, [], 'no fire of the down window ran under misfire skip');

    const onceRuns = (await runs(once)).sort(
      (a, b) => Date.parse(a.scheduledFor) - Date.parse(b.scheduledFor),
    );
    const collapsed = onceRuns.filter((r) => /misfire policy once/.test(String(r.error)));
    assert.ok(
      collapsed.length >= 1,
      `misfire once: ${JSON.stringify(onceRuns.map((r) => r.error))}`,
    );
    const lastCollapsed = Date.parse(collapsed.at(-1)!.scheduledFor);
    const catchUp = onceRuns.find((r) => Date.parse(r.scheduledFor) > lastCollapsed);
    assert.ok(catchUp, 'the latest missed fire runs');
    assert.equal(catchUp.state, 'succeeded');
    assert.ok(
      Date.parse(catchUp.startedAt) - Date.parse(catchUp.scheduledFor) > 1000,
      `it ran late: a catch-up; ${JSON.stringify(onceRuns.map((r) => [r.scheduledFor, r.startedAt, r.state, r.error]))}`,
    );

    for (const list of [skipRuns, onceRuns]) {
      const fires = list.map((r) => r.scheduledFor);
      assert.equal(new Set(fires).size, fires.length, 'no fire has two runs');
    }
  });
});
