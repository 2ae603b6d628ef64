// The jobs half of the Store contract, run against SQLite and PostgreSQL: the guarantees the scheduler
// and runner stand on (one run per fire, cursor and insert in one transaction, leases with tokens,
// overlap enforced by the store), plus logs, retention, packages and the webhook outbox.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobSpec as spec, newJob } from '../../../test/support/jobs.ts';
import { storeBackends, useFreshStore } from '../../../test/support/store-backends.ts';
import { AgentError } from '../../errors.ts';
import type { Job, JobSpec, OverlapPolicy } from '../../model/jobs.ts';
import type { FirePlanner, Store } from '../store.ts';

const NODE = 'node-a';
const LEASE = 30_000;

/** One fire per call at the cursor, then the cursor moves a minute on. */
const everyMinute: FirePlanner = (schedule) => {
  const at = schedule.nextFireAt as number;
  return { fires: [{ scheduledFor: at, runAt: at }], nextFireAt: at + 60_000 };
};

const never = (): undefined => undefined;

/** A package's bytes, as a reader of getPackage() collects them. */
async function bytesOf(chunks: AsyncIterable<Buffer> | undefined): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks ?? []) parts.push(chunk);
  return Buffer.concat(parts);
}

function isCode(code: string, pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof AgentError, `expected an AgentError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  };
}

for (const backend of storeBackends()) {
  describe(`The ${backend.name} store: jobs`, () => {
    let store: Store;
    const open = useFreshStore(backend, (s) => (store = s));

    /**
     * Stores to race against `store`: other connections where nodes share the database; the same
     * store for SQLite, which has one owner (its transactions queue behind each other).
     */
    const racers = (): Store[] =>
      store.capabilities.sharedByNodes ? [open(), open(), open()] : [store, store, store];

    /** A job with one queued manual run, claimed by NODE. */
    async function claimedRun(overrides: Partial<Omit<JobSpec, 'schedules'>> = {}) {
      const job = await store.createJob(newJob(overrides));
      await store.createRun(job.id, {});
      const { claimed } = await store.claimRuns(NODE, 1, Date.now() + 1000, 0, LEASE);
      const first = claimed[0];
      assert.ok(first, 'a run was claimed');
      return first;
    }

    describe('job definitions', () => {
      it('lists jobs a page at a time, each with its own schedules and package', async () => {
        const made: Job[] = [];
        for (let i = 0; i < 5; i++) {
          made.push(await store.createJob(newJob({ name: `paged-${i}` }, 1_000 + i)));
        }
        await store.putPackage(made[2]!.id, {
          sha256: 'ab'.repeat(32),
          size: 1,
          pieces: [new Uint8Array([1])],
        });
        const all = await store.listJobs({ limit: 1000 });
        const ids = all.map((j) => j.id);
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listJobs({ limit: 2, ...(after ? { after } : {}) });
          if (page.length === 0) break;
          pages.push(page.map((j) => j.id));
          for (const job of page) {
            assert.deepEqual(
              job,
              all.find((j) => j.id === job.id),
            );
          }
          after = page.at(-1)!.id;
        }
        assert.deepEqual(pages.flat(), ids);
        assert.ok(pages.every((p) => p.length <= 2));
        assert.equal(all.find((j) => j.id === made[2]!.id)?.package?.size, 1);
      });

      it('reads the names of many jobs at once, leaving out ids that have no job', async () => {
        const a = await store.createJob(newJob({ name: 'names-a' }));
        const b = await store.createJob(newJob({ name: 'names-b' }));
        assert.deepEqual(await store.jobNames([]), new Map());
        const names = await store.jobNames([a.id, b.id, '999999']);
        assert.deepEqual(
          names,
          new Map([
            [a.id, 'names-a'],
            [b.id, 'names-b'],
          ]),
        );
        await store.deleteJob(b.id);
        assert.deepEqual(await store.jobNames([a.id, b.id]), new Map([[a.id, 'names-a']]));
      });

      it('creates, reads by id and by name, lists, updates and deletes', async () => {
        const generation = await store.jobsGeneration();
        const input = newJob({ name: 'backup', env: { A: '1' } }, 1_000);
        const job = await store.createJob(input);
        assert.equal(job.id, input.id);
        assert.equal(job.name, 'backup');
        assert.deepEqual(job.env, { A: '1' });
        assert.equal(job.version, 1);
        assert.equal(job.schedules.length, 1);
        assert.equal(job.schedules[0]?.nextFireAt, 1_000);
        assert.deepEqual(await store.getJob('backup'), job);
        assert.deepEqual(await store.getJob(job.id), job);
        assert.deepEqual(
          (await store.listJobs({ limit: 1000 })).map((j) => j.id),
          [job.id],
        );
        assert.ok((await store.jobsGeneration()) > generation);

        const updated = await store.updateJob(
          { id: job.id, spec: spec({ name: 'backup-2' }), schedules: [] },
          1,
        );
        assert.equal(updated.version, 2);
        assert.equal(updated.name, 'backup-2');
        assert.deepEqual(updated.schedules, []);
        await assert.rejects(
          store.updateJob({ id: job.id, spec: spec(), schedules: [] }, 1),
          isCode('CONFLICT', /version 2, not 1/),
        );

        await store.deleteJob(job.id);
        assert.equal(await store.getJob(job.id), undefined);
        await assert.rejects(store.deleteJob(job.id), isCode('NOT_FOUND', /does not exist/));
      });

      it('lists jobs by a name prefix in name order, and by kind, a page at a time', async () => {
        for (const name of ['alpha-3', 'beta-1', 'alpha-1', 'alpha-2', 'alphabet']) {
          await store.createJob(newJob({ name }));
        }
        const pipeline = await store.createJob(newJob({ name: 'alpha-pipe', kind: 'pipeline' }));
        const names = async (page: Parameters<Store['listJobs']>[0]) =>
          (await store.listJobs(page)).map((j) => j.name);
        assert.deepEqual(await names({ limit: 2, namePrefix: 'alpha-' }), ['alpha-1', 'alpha-2']);
        const first = await store.listJobs({ limit: 2, namePrefix: 'alpha-' });
        assert.deepEqual(await names({ limit: 2, namePrefix: 'alpha-', after: first[1]!.id }), [
          'alpha-3',
          'alpha-pipe',
        ]);
        assert.deepEqual(await names({ limit: 5, namePrefix: 'gamma' }), []);
        assert.deepEqual(await names({ limit: 5, kind: 'pipeline' }), ['alpha-pipe']);
        assert.deepEqual(await names({ limit: 5, namePrefix: 'alpha', kind: 'command' }), [
          'alpha-1',
          'alpha-2',
          'alpha-3',
          'alphabet',
        ]);
        await store.deleteJob(pipeline.id);
        await assert.rejects(
          store.listJobs({ limit: 2, namePrefix: 'alpha-', after: pipeline.id }),
          isCode('INVALID_INPUT', /deleted since the page was read/),
        );
      });

      it("keeps each job's latest run and the totals as runs and jobs change", async () => {
        const base = await store.jobTotals();
        const command = await store.createJob(newJob({ name: 'latest-command' }));
        const pipe = await store.createJob(newJob({ name: 'latest-pipe', kind: 'pipeline' }));
        assert.deepEqual(await store.jobTotals(), {
          command: base.command + 1,
          pipeline: base.pipeline + 1,
        });
        assert.deepEqual(await store.countJobsByLastRun('pipeline'), new Map([['', 1]]));
        const created = await store.listJobsByLastRun({
          kind: 'pipeline',
          states: [''],
          limit: 10,
          order: 'id',
        });
        assert.deepEqual(
          created.map((e) => [e.job.name, e.lastRun]),
          [['latest-pipe', undefined]],
        );

        // Queued runs are not a job's latest; a claimed one is, then its end.
        await store.createRun(pipe.id, {});
        assert.deepEqual(await store.latestRuns([pipe.id, command.id]), new Map());
        const { claimed } = await store.claimRuns(NODE, 1, Date.now() + 1000, 0, LEASE);
        const { run, leaseToken } = claimed[0]!;
        assert.equal((await store.latestRuns([pipe.id])).get(pipe.id)?.state, 'running');
        assert.deepEqual(await store.countJobsByLastRun('pipeline'), new Map([['running', 1]]));
        const outcome = { state: 'succeeded', logBytes: 0, logTruncated: false } as const;
        await store.finishRun(run.id, leaseToken, outcome, never);
        await store.createRun(pipe.id, {});
        const latest = (await store.latestRuns([pipe.id])).get(pipe.id);
        assert.equal(latest?.id, run.id);
        assert.equal(latest?.state, 'succeeded');
        assert.deepEqual(await store.countJobsByLastRun('pipeline'), new Map([['succeeded', 1]]));
        const finished = await store.listJobsByLastRun({
          kind: 'pipeline',
          states: ['succeeded', 'failed'],
          limit: 10,
          order: 'finished',
        });
        assert.deepEqual(
          finished.map((e) => [e.job.id, e.lastRun?.id, e.cursor]),
          [[pipe.id, run.id, `${latest?.finishedAt}:${pipe.id}`]],
        );
        assert.deepEqual(await store.countJobsByLastRun('command'), new Map([['', 1]]));

        // Retention taking the latest run leaves the one before it, or none.
        await store.prune({ keepRuns: 10, maxAgeMs: -1, logBudgetBytes: 1e9 });
        assert.deepEqual(await store.latestRuns([pipe.id]), new Map());
        assert.deepEqual(await store.countJobsByLastRun('pipeline'), new Map([['', 1]]));

        await store.deleteJob(pipe.id);
        assert.deepEqual(await store.jobTotals(), {
          command: base.command + 1,
          pipeline: base.pipeline,
        });
        assert.deepEqual(await store.countJobsByLastRun('pipeline'), new Map());
        // A job that changes kind moves between the totals.
        await store.updateJob({
          ...newJob({ name: 'latest-command', kind: 'pipeline' }),
          id: command.id,
        });
        assert.deepEqual(await store.jobTotals(), {
          command: base.command,
          pipeline: base.pipeline + 1,
        });
        assert.deepEqual(await store.countJobsByLastRun('pipeline'), new Map([['', 1]]));
      });

      it('pages jobs by the end of their latest run, then by id', async () => {
        const ended: string[] = [];
        for (let i = 0; i < 3; i++) {
          const { run, leaseToken, job } = await claimedRun({
            name: `ended-${i}`,
            kind: 'pipeline',
          });
          const state = i === 1 ? 'failed' : 'succeeded';
          await store.finishRun(
            run.id,
            leaseToken,
            { state, logBytes: 0, logTruncated: false },
            never,
          );
          ended.push(job.id);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listJobsByLastRun({
            kind: 'pipeline',
            states: ['succeeded', 'failed'],
            limit: 2,
            order: 'finished',
            ...(after === undefined ? {} : { after }),
          });
          if (page.length === 0) break;
          pages.push(page.map((e) => e.job.id));
          after = page.at(-1)!.cursor;
        }
        assert.deepEqual(pages, [ended.slice(0, 2), ended.slice(2)]);
        const failed = await store.listJobsByLastRun({
          kind: 'pipeline',
          states: ['failed'],
          limit: 10,
          order: 'id',
        });
        assert.deepEqual(
          failed.map((e) => e.job.id),
          [ended[1]],
        );
      });

      it('refuses a second job with the same name', async () => {
        await store.createJob(newJob({ name: 'same' }));
        await assert.rejects(
          store.createJob(newJob({ name: 'same' })),
          isCode('CONFLICT', /already exists/),
        );
      });

      it('keeps a schedule cursor when the schedule keeps its id', async () => {
        const input = newJob({}, 5_000);
        await store.createJob(input);
        const job = await store.updateJob({ ...input, spec: spec({ cmd: 'echo hi' }) });
        assert.equal(job.schedules[0]?.id, input.schedules[0]?.id);
        assert.equal(job.schedules[0]?.nextFireAt, 5_000);
      });

      it('refuses to delete a job while its run is running', async () => {
        const { job } = await claimedRun();
        await assert.rejects(store.deleteJob(job.id), isCode('CONFLICT', /stop it first/));
      });
    });

    describe('materialising schedules', () => {
      it('turns due fires into runs and advances the cursor in the same step', async () => {
        const job = await store.createJob(newJob({}, 60_000));
        assert.deepEqual(await store.nextDue(Date.now()), {
          fireAt: 60_000,
          runAt: undefined,
          blocked: false,
        });
        const made = await store.materialize(60_000, 100, everyMinute);
        assert.equal(made.length, 1);
        assert.equal(made[0]?.state, 'queued');
        assert.equal(made[0]?.trigger, 'schedule');
        assert.equal(made[0]?.scheduledFor, 60_000);
        assert.equal((await store.getJob(job.id))?.schedules[0]?.nextFireAt, 120_000);
        // Nothing more is due at 60 s.
        assert.deepEqual(await store.materialize(60_000, 100, everyMinute), []);
      });

      it('never makes two runs for one fire, even when a planner repeats itself', async () => {
        const job = await store.createJob(newJob({}, 60_000));
        const twice: FirePlanner = (s) => {
          const at = s.nextFireAt as number;
          return {
            fires: [
              { scheduledFor: at, runAt: at },
              { scheduledFor: at, runAt: at },
            ],
            nextFireAt: at,
          };
        };
        await store.materialize(60_000, 10, twice);
        await store.materialize(60_000, 10, twice);
        const runs = await store.listRuns({ jobId: job.id, limit: 10 });
        assert.equal(runs.length, 1);
      });

      it('gives every fire exactly one run when several stores race', async () => {
        const job = await store.createJob(newJob({}, 60_000));
        const others = racers();
        const upTo = 60_000 * 40;
        // A locked schedule is skipped by the other racers, so race until every fire is made.
        for (
          let round = 0;
          round < 200 && ((await store.nextDue(Date.now())).fireAt ?? Infinity) <= upTo;
          round += 1
        ) {
          await Promise.all([store, ...others].map((s) => s.materialize(upTo, 5, everyMinute)));
        }
        const runs = await store.listRuns({ jobId: job.id, limit: 100 });
        const times = runs.map((r) => r.scheduledFor).sort((a, b) => a - b);
        assert.deepEqual(
          times,
          Array.from({ length: 40 }, (_, i) => (i + 1) * 60_000),
        );
      });

      it('records skipped fires as skipped runs with their reason', async () => {
        const job = await store.createJob(newJob({}, 60_000));
        const skipAll: FirePlanner = (s) => ({
          fires: [{ scheduledFor: s.nextFireAt as number, runAt: 0, skipped: 'missed by 2h' }],
          nextFireAt: undefined,
        });
        const [run] = await store.materialize(60_000, 10, skipAll);
        assert.equal(run?.state, 'skipped');
        assert.equal(run?.error, 'missed by 2h');
        assert.ok(run?.finishedAt !== undefined);
        assert.equal((await store.getJob(job.id))?.schedules[0]?.nextFireAt, undefined);
        assert.deepEqual(await store.nextDue(Date.now()), {
          fireAt: undefined,
          runAt: undefined,
          blocked: false,
        });
      });

      it('ignores disabled jobs', async () => {
        await store.createJob(newJob({ enabled: false }, 60_000));
        assert.deepEqual(await store.nextDue(Date.now()), {
          fireAt: undefined,
          runAt: undefined,
          blocked: false,
        });
        assert.deepEqual(await store.materialize(60_000, 10, everyMinute), []);
      });
    });

    describe('manual runs', () => {
      it('returns the same run for a repeated idempotency key', async () => {
        const job = await store.createJob(newJob());
        const first = await store.createRun(job.id, { idempotencyKey: 'k-1' });
        const again = await store.createRun(job.id, { idempotencyKey: 'k-1' });
        assert.equal(first.created, true);
        assert.equal(again.created, false);
        assert.equal(again.run.id, first.run.id);
        const other = await store.createRun(job.id, { idempotencyKey: 'k-2' });
        assert.notEqual(other.run.id, first.run.id);
      });

      it('refuses a second run of a forbid job while one is active', async () => {
        const job = await store.createJob(newJob({ overlap: 'forbid' }));
        await store.createRun(job.id, {});
        await assert.rejects(store.createRun(job.id, {}), isCode('CONFLICT', /forbid/));
      });

      it('answers NOT_FOUND for an unknown job', async () => {
        await assert.rejects(store.createRun('12345', {}), isCode('NOT_FOUND', /job 12345/));
      });
    });

    describe('claims and leases', () => {
      it('claims a due run once, with a lease token, and not a run that is not due', async () => {
        const job = await store.createJob(newJob());
        const now = Date.now();
        await store.createRun(job.id, {});
        await store.createRun(job.id, { runAt: now + 3_600_000 });
        const first = await store.claimRuns(NODE, 5, now + 1000, 0, LEASE);
        assert.equal(first.claimed.length, 1);
        const claim = first.claimed[0];
        assert.ok(claim);
        assert.equal(claim.run.state, 'running');
        assert.equal(claim.run.nodeId, NODE);
        assert.ok(claim.leaseToken.length > 10);
        assert.equal(claim.job.id, job.id);
        const second = await open().claimRuns('node-b', 5, now + 1000, 0, LEASE);
        assert.equal(second.claimed.length, 0);
      });

      it('claims several runs of a job at once, each with the whole job and a lease of its own', async () => {
        // A cursor far ahead: the schedule is part of the job, and fires nothing here.
        const job = await store.createJob(newJob({}, Date.now() + 86_400_000));
        await store.putPackage(job.id, {
          sha256: 'cd'.repeat(32),
          size: 1,
          pieces: [Buffer.from('x')],
        });
        const made = [];
        for (let i = 0; i < 3; i += 1) made.push((await store.createRun(job.name, {})).run.id);
        const { claimed, next } = await store.claimRuns(NODE, 5, Date.now() + 1000, 0, LEASE);
        assert.deepEqual(claimed.map((c) => c.run.id).sort(), [...made].sort());
        assert.equal(new Set(claimed.map((c) => c.leaseToken)).size, 3);
        for (const claim of claimed) {
          assert.equal(claim.run.state, 'running');
          assert.equal(claim.job.id, job.id);
          assert.equal(claim.job.schedules.length, 1);
          assert.equal(claim.job.package?.sha256, 'cd'.repeat(32));
        }
        assert.equal(next.blocked, false, 'read after the claims, in the same transaction');
        assert.ok(next.fireAt !== undefined && next.fireAt > Date.now());
        const [one] = claimed;
        assert.ok(one);
        const ended = await store.finishRun(
          one.run.id,
          one.leaseToken,
          { state: 'succeeded', logBytes: 0, logTruncated: false },
          never,
          one.job,
        );
        assert.equal(ended?.run.state, 'succeeded', 'under the lease it was claimed with');
      });

      it('claims a run of a job changed since the run was made under the job as it is now', async () => {
        const input = newJob();
        const job = await store.createJob(input);
        await store.createRun(job.id, {});
        const changed = await store.updateJob({
          ...input,
          spec: spec({ name: job.name, cmd: 'echo changed' }),
        });
        const { claimed } = await store.claimRuns(NODE, 1, Date.now() + 1000, 0, LEASE);
        assert.equal(claimed.length, 1);
        assert.equal(claimed[0]?.job.version, changed.version);
        assert.equal((claimed[0]?.job as { cmd?: string }).cmd, 'echo changed');
      });

      it('lets only one of several racing nodes claim each run', async () => {
        const job = await store.createJob(newJob());
        for (let i = 0; i < 12; i += 1) await store.createRun(job.id, {});
        const nodes = [store, ...racers().slice(1)];
        const results = await Promise.all(
          nodes.map((s, i) => s.claimRuns(`node-${i}`, 12, Date.now() + 1000, 0, LEASE)),
        );
        const ids = results.flatMap((r) => r.claimed.map((c) => c.run.id));
        assert.equal(ids.length, 12);
        assert.equal(new Set(ids).size, 12);
      });

      it('takes its share of a burst among the live nodes, all of it when alone', async () => {
        const job = await store.createJob(newJob());
        for (let i = 0; i < 10; i += 1) await store.createRun(job.id, {});
        const register = (id: string) =>
          store.registerNode({ id, hostname: id, address: '', version: '', pid: 1, labels: {} });
        await register('111111111111111');
        const alone = await store.claimRuns(NODE, 3, Date.now() + 1000, 0, LEASE, 30_000);
        assert.equal(alone.claimed.length, 3, 'one live node: up to its slots');
        assert.equal(alone.shared, false);
        await register('222222222222222');
        const first = await store.claimRuns(NODE, 16, Date.now() + 1000, 0, LEASE, 30_000);
        assert.equal(first.claimed.length, 4, 'half of the 7 due, rounded up');
        assert.equal(first.shared, true);
        const other = await open().claimRuns('node-b', 16, Date.now() + 1000, 0, LEASE, 30_000);
        assert.equal(other.claimed.length, 2);
        const unbounded = await store.claimRuns(NODE, 16, Date.now() + 1000, 0, LEASE);
        assert.equal(unbounded.claimed.length, 1, 'without liveWithinMs: every due run');
      });

      for (const [overlap, expect] of [
        ['allow', 'both run'],
        ['forbid', 'the second is skipped'],
        ['queue', 'the second waits'],
        ['replace', 'the first is asked to stop, the second waits'],
      ] as [OverlapPolicy, string][]) {
        it(`enforces overlap ${overlap}: ${expect}`, async () => {
          // misfire all: these fires are decades late, which must not matter here.
          const job = await store.createJob(newJob({ overlap, misfire: 'all' }, 60_000));
          await store.materialize(120_000, 10, everyMinute);
          await store.materialize(120_000, 10, everyMinute);
          const first = await store.claimRuns(NODE, 1, Date.now(), 0, LEASE);
          assert.equal(first.claimed.length, 1);
          const second = await store.claimRuns(NODE, 5, Date.now(), 0, LEASE);
          const runs = await store.listRuns({ jobId: job.id, limit: 10 });
          const states = runs.map((r) => r.state).sort();
          if (overlap === 'allow') {
            assert.equal(second.claimed.length, 1);
            assert.deepEqual(states, ['running', 'running']);
          } else if (overlap === 'forbid') {
            assert.equal(second.claimed.length, 0);
            assert.deepEqual(states, ['running', 'skipped']);
            assert.match(second.changed[0]?.error ?? '', /forbid: run \d+ was still running/);
          } else if (overlap === 'queue') {
            assert.equal(second.claimed.length, 0);
            assert.deepEqual(states, ['queued', 'running']);
          } else {
            assert.equal(second.claimed.length, 0);
            assert.deepEqual(states, ['queued', 'running']);
            assert.equal(second.changed[0]?.stopSignal, 'SIGTERM');
            const [lease] = await store.renewLeases(
              NODE,
              [{ runId: first.claimed[0]!.run.id, token: first.claimed[0]!.leaseToken }],
              LEASE,
            );
            assert.equal(lease?.stopSignal, 'SIGTERM');
          }
          if (overlap !== 'allow') {
            // Once the first ends, a waiting run can start.
            const c = first.claimed[0]!;
            await store.finishRun(
              c.run.id,
              c.leaseToken,
              { state: 'succeeded', exitCode: 0, logBytes: 0, logTruncated: false },
              never,
            );
            const third = await store.claimRuns(NODE, 5, Date.now(), 0, LEASE);
            assert.equal(third.claimed.length, overlap === 'forbid' ? 0 : 1);
          }
        });
      }

      it('claims runs due within aheadMs, leaving one whose job is busy for its own time', async () => {
        const now = Date.now();
        const once: FirePlanner = (schedule) => {
          const at = schedule.nextFireAt as number;
          return { fires: [{ scheduledFor: at, runAt: at }], nextFireAt: undefined };
        };
        // forbid would skip the fire if it were decided now, with the manual run going.
        const busy = await store.createJob(
          newJob({ name: 'busy', overlap: 'forbid' }, now + 10_000),
        );
        const free = await store.createJob(newJob({ name: 'free', overlap: 'allow' }));
        const dueNow = (await store.createRun(busy.id, {})).run;
        const [held] = await store.materialize(now + 20_000, 10, once);
        const ahead = (await store.createRun(free.id, { runAt: now + 10_000 })).run;
        const later = (await store.createRun(free.id, { runAt: now + 60_000 })).run;

        const { claimed, changed, next } = await store.claimRuns(NODE, 5, now, 20_000, LEASE);
        assert.deepEqual(claimed.map((c) => c.run.id).sort(), [dueNow.id, ahead.id].sort());
        assert.deepEqual(changed, [], 'forbid is not applied before the run is due');
        assert.equal((await store.getRun(held!.id))?.state, 'queued');
        assert.equal((await store.getRun(later.id))?.state, 'queued');
        // Nothing due by `now` waits: the held run is next, at its own time.
        assert.deepEqual(next, { fireAt: undefined, runAt: now + 10_000, blocked: false });
        assert.equal((await store.nextDue(now + 15_000)).blocked, true);
      });

      it('applies the misfire policy to fires made into runs before they were missed', async () => {
        const skip = await store.createJob(newJob({ misfire: 'skip' }, 60_000));
        const once = await store.createJob(newJob({ misfire: 'once' }, 60_000));
        for (let i = 0; i < 3; i += 1) await store.materialize(180_000, 10, everyMinute);
        const { claimed, changed } = await store.claimRuns(NODE, 10, Date.now(), 0, LEASE);
        const skipRuns = await store.listRuns({ jobId: skip.id, limit: 10 });
        assert.deepEqual(
          skipRuns.map((r) => r.state),
          ['skipped', 'skipped', 'skipped'],
        );
        assert.match(skipRuns[0]?.error ?? '', /missed by \d+s .*misfire policy skip/);
        // once: the newest missed fire runs, the older ones are skipped.
        const onceRuns = await store.listRuns({ jobId: once.id, limit: 10 });
        assert.deepEqual(
          onceRuns.map((r) => r.state),
          ['running', 'skipped', 'skipped'],
        );
        assert.equal(claimed.length, 1);
        assert.equal(changed.length, 5);
      });

      it('renews leases it holds and drops ones it does not', async () => {
        const { run, leaseToken } = await claimedRun();
        const kept = await store.renewLeases(
          NODE,
          [
            { runId: run.id, token: leaseToken },
            { runId: run.id, token: 'stale' },
          ],
          LEASE,
        );
        assert.deepEqual(kept, [{ runId: run.id }]);
        assert.equal(await store.markStarted(run.id, leaseToken, 4321), true);
        assert.equal(await store.markStarted(run.id, 'stale', 4321), false);
        assert.equal((await store.getRun(run.id))?.pgid, 4321);
      });

      it('records the start time as the moment the process started, not the transaction', async () => {
        const { run, leaseToken } = await claimedRun();
        const before = Date.now();
        assert.equal(
          await store.markStarted(run.id, leaseToken, 4321, performance.now() - 5000),
          true,
        );
        const startedAt = (await store.getRun(run.id))?.startedAt ?? NaN;
        // The store's clock is the database's on PostgreSQL: allow for a little skew and latency.
        assert.ok(
          Math.abs(startedAt - (before - 5000)) < 1000,
          `startedAt ${startedAt}, before ${before}`,
        );
      });
    });

    describe('ending runs', () => {
      it('finishes a run only with its lease token', async () => {
        const { run, leaseToken } = await claimedRun();
        const outcome = {
          state: 'succeeded',
          exitCode: 0,
          logBytes: 12,
          logTruncated: false,
        } as const;
        assert.equal(await store.finishRun(run.id, 'stale', outcome, never), undefined);
        const done = await store.finishRun(run.id, leaseToken, outcome, never);
        assert.equal(done?.run.state, 'succeeded');
        assert.equal(done?.run.exitCode, 0);
        assert.equal(done?.run.logBytes, 12);
        assert.ok(done?.run.finishedAt !== undefined);
        // A second finish is fenced: the lease is gone.
        assert.equal(await store.finishRun(run.id, leaseToken, outcome, never), undefined);
      });

      it('writes a start that comes with the end, as the moment the process started', async () => {
        const outcome = (pgid: number) =>
          ({
            state: 'succeeded',
            exitCode: 0,
            logBytes: 0,
            logTruncated: false,
            started: { pgid, at: performance.now() - 5000 },
          }) as const;
        // Both ways an end is written: alone (given the job as claimed) and in a transaction.
        for (const [pgid, withJob] of [
          [4321, true],
          [4322, false],
        ] as const) {
          const claim = await claimedRun();
          const before = Date.now();
          const done = await store.finishRun(
            claim.run.id,
            claim.leaseToken,
            outcome(pgid),
            never,
            withJob ? claim.job : undefined,
          );
          const stored = await store.getRun(claim.run.id);
          assert.equal(done?.run.pgid, pgid);
          assert.equal(stored?.pgid, pgid);
          // The store's clock is the database's on PostgreSQL: allow for a little skew and latency.
          const startedAt = stored?.startedAt ?? NaN;
          assert.ok(Math.abs(startedAt - (before - 5000)) < 1000, `startedAt ${startedAt}`);
        }
        // Without one, the start the claim (or markStarted) wrote stays.
        const claim = await claimedRun();
        assert.equal(await store.markStarted(claim.run.id, claim.leaseToken, 4323), true);
        const { started: _, ...plain } = outcome(0);
        const done = await store.finishRun(claim.run.id, claim.leaseToken, plain, never, claim.job);
        assert.equal(done?.run.pgid, 4323);
        assert.equal(done?.run.startedAt, (await store.getRun(claim.run.id))?.startedAt);
      });

      it('ends a run under the job as claimed, and under the job as it is once that changed', async () => {
        const outcome = {
          state: 'succeeded',
          exitCode: 0,
          logBytes: 3,
          logTruncated: false,
        } as const;
        const claim = await claimedRun();
        assert.equal(
          await store.finishRun(claim.run.id, 'stale', outcome, never, claim.job),
          undefined,
          'fenced without the lease token',
        );
        const done = await store.finishRun(
          claim.run.id,
          claim.leaseToken,
          outcome,
          never,
          claim.job,
        );
        assert.equal(done?.run.state, 'succeeded');
        assert.equal(done?.run.logBytes, 3);
        assert.ok((done?.run.finishedAt ?? 0) >= (done?.run.startedAt ?? Infinity));
        assert.equal((await store.getRun(claim.run.id))?.state, 'succeeded');
        assert.equal(
          await store.finishRun(claim.run.id, claim.leaseToken, outcome, never, claim.job),
          undefined,
          'a second end is fenced',
        );

        // A webhook added while the run ran is sent: the end is not written under the old job.
        const again = await claimedRun();
        const hooks = [{ url: 'http://127.0.0.1:9/hook', events: ['succeeded' as const] }];
        await store.updateJob({
          ...newJob({ name: again.job.name, webhooks: hooks }),
          id: again.job.id,
        });
        await store.finishRun(again.run.id, again.leaseToken, outcome, never, again.job);
        const [sent] = await store.takeNotifications(10, 60_000);
        assert.equal(sent?.event, 'succeeded');
        assert.equal(JSON.parse(sent?.payload ?? '{}').run.id, again.run.id);
      });

      it("keeps a pipeline run's progress (fenced) and its final metrics and checkpoint", async () => {
        const { run, leaseToken } = await claimedRun();
        const checkpoint = { checkpointId: 2, splits: { '1': { '0-0': 'DONE' } }, commits: {} };
        assert.equal(await store.saveRunProgress(run.id, 'stale', { metrics: { a: 1 } }), false);
        assert.equal(
          await store.saveRunProgress(run.id, leaseToken, { metrics: { SourceReceivedCount: 5 } }),
          true,
        );
        assert.equal(await store.saveRunProgress(run.id, leaseToken, { checkpoint }), true);
        const running = await store.getRun(run.id);
        assert.deepEqual(
          running?.metrics,
          { SourceReceivedCount: 5 },
          'a checkpoint alone keeps the metrics',
        );
        assert.deepEqual(running?.checkpoint, checkpoint);
        const done = await store.finishRun(
          run.id,
          leaseToken,
          {
            state: 'savepoint_done',
            logBytes: 0,
            logTruncated: false,
            metrics: { SourceReceivedCount: 9 },
          },
          never,
        );
        assert.equal(done?.run.state, 'savepoint_done');
        assert.deepEqual(done?.run.metrics, { SourceReceivedCount: 9 });
        assert.deepEqual(done?.run.checkpoint, checkpoint);
        assert.equal(
          await store.saveRunProgress(run.id, leaseToken, { metrics: {} }),
          false,
          'ended',
        );
      });

      it('queues the next attempt when the retry planner says so, in the same step', async () => {
        const { run, leaseToken } = await claimedRun();
        const done = await store.finishRun(
          run.id,
          leaseToken,
          { state: 'failed', exitCode: 3, logBytes: 0, logTruncated: false },
          (r, _job, now) => (r.attempt < 3 ? now + 5_000 : undefined),
        );
        assert.equal(done?.run.state, 'failed');
        assert.equal(done?.retry?.attempt, 2);
        assert.equal(done?.retry?.trigger, 'retry');
        assert.equal(done?.retry?.state, 'queued');
        assert.equal(done?.retry?.scheduledFor, run.scheduledFor);
      });

      it('never retries a run someone stopped', async () => {
        const { run, leaseToken } = await claimedRun();
        const asked = await store.requestStop(run.id, 'SIGTERM');
        assert.equal(asked.stopSignal, 'SIGTERM');
        const done = await store.finishRun(
          run.id,
          leaseToken,
          { state: 'canceled', signal: 'SIGTERM', logBytes: 0, logTruncated: false },
          () => Date.now(),
        );
        assert.equal(done?.run.state, 'canceled');
        assert.equal(done?.retry, undefined);
      });

      it("tells the run's owner the signal and grace a stop asked for; the first request holds", async () => {
        const first = await claimedRun();
        await store.requestStop(first.run.id, 'SIGINT', 5_000);
        await store.requestStop(first.run.id, 'SIGTERM');
        const second = await claimedRun();
        await store.requestStop(second.run.id, 'SIGTERM');
        const kept = await store.renewLeases(
          NODE,
          [
            { runId: first.run.id, token: first.leaseToken },
            { runId: second.run.id, token: second.leaseToken },
          ],
          LEASE,
        );
        assert.deepEqual(kept, [
          { runId: first.run.id, stopSignal: 'SIGINT', stopGraceMs: 5_000 },
          { runId: second.run.id, stopSignal: 'SIGTERM' },
        ]);
      });

      it('cancels a queued run at once when asked to stop', async () => {
        const job = await store.createJob(newJob());
        const { run } = await store.createRun(job.id, { runAt: Date.now() + 60_000 });
        const stopped = await store.requestStop(run.id, 'SIGTERM');
        assert.equal(stopped.state, 'canceled');
        await assert.rejects(store.requestStop('999', 'SIGTERM'), isCode('NOT_FOUND', /run 999/));
      });

      it("marks a node's running runs lost and retries them by policy", async () => {
        const { run } = await claimedRun();
        const { lost, retries } = await store.loseRuns(
          { nodeId: NODE },
          'agent restarted',
          (_r, _j, now) => now,
        );
        assert.deepEqual(
          lost.map((r) => [r.id, r.state, r.error]),
          [[run.id, 'lost', 'agent restarted']],
        );
        assert.equal(retries[0]?.attempt, 2);
      });

      it('marks runs whose lease expired lost', async () => {
        const job = await store.createJob(newJob());
        await store.createRun(job.id, {});
        const { claimed } = await store.claimRuns(NODE, 1, Date.now() + 1000, 0, -1);
        assert.equal(claimed.length, 1);
        const { lost } = await store.loseRuns({ expired: true }, 'lease expired', never);
        assert.equal(lost[0]?.state, 'lost');
      });
    });

    describe('run history', () => {
      it('lists runs newest first, by job and state, a page at a time', async () => {
        const job = await store.createJob(newJob());
        const ids: string[] = [];
        for (let i = 0; i < 5; i += 1) ids.push((await store.createRun(job.id, {})).run.id);
        const page1 = await store.listRuns({ jobId: job.id, limit: 2 });
        assert.deepEqual(
          page1.map((r) => r.id),
          [ids[4], ids[3]],
        );
        const page2 = await store.listRuns({ jobId: job.id, limit: 2, before: page1[1]?.id });
        assert.deepEqual(
          page2.map((r) => r.id),
          [ids[2], ids[1]],
        );
        assert.equal((await store.listRuns({ state: 'running', limit: 10 })).length, 0);
      });

      it('stores log chunks once each, in order, only from the lease holder', async () => {
        const { run, leaseToken } = await claimedRun();
        const chunk = (seq: number, text: string) => ({ seq, data: Buffer.from(text) });
        assert.equal(
          await store.appendLog(run.id, leaseToken, [chunk(1, 'world\n'), chunk(0, 'hello ')]),
          true,
        );
        assert.equal(await store.appendLog(run.id, leaseToken, [chunk(1, 'again\n')]), true);
        assert.equal(await store.appendLog(run.id, 'stale', [chunk(2, 'no')]), false);
        assert.equal((await store.readLog(run.id)).toString(), 'hello world\n');
      });

      it('prunes by count per job, by age, and by the log byte budget', async () => {
        const job = await store.createJob(newJob({ keepRuns: 2 }));
        const finished: string[] = [];
        for (let i = 0; i < 4; i += 1) {
          await store.createRun(job.id, {});
          const [c] = (await store.claimRuns(NODE, 1, Date.now() + 1000, 0, LEASE)).claimed;
          assert.ok(c);
          await store.appendLog(c.run.id, c.leaseToken, [{ seq: 0, data: Buffer.alloc(100, 65) }]);
          await store.finishRun(
            c.run.id,
            c.leaseToken,
            { state: 'succeeded', logBytes: 100, logTruncated: false },
            never,
          );
          finished.push(c.run.id);
        }
        const byCount = await store.prune({
          keepRuns: 10,
          maxAgeMs: 3_600_000,
          logBudgetBytes: 150,
        });
        assert.equal(byCount.runs, 2);
        assert.deepEqual(
          (await store.listRuns({ jobId: job.id, limit: 10 })).map((r) => r.id),
          [finished[3], finished[2]],
        );
        // 200 bytes of logs left against a budget of 150: the older log goes.
        assert.equal(byCount.logBytes, 100);
        assert.equal((await store.readLog(finished[2] as string)).length, 0);
        assert.equal((await store.readLog(finished[3] as string)).length, 100);
        const byAge = await store.prune({ keepRuns: 10, maxAgeMs: -1, logBudgetBytes: 1e9 });
        assert.equal(byAge.runs, 2);
      });
    });

    describe('packages and notifications', () => {
      it('keeps one package per job with its hash', async () => {
        const job = await store.createJob(newJob());
        const data = Buffer.from('not really a tarball');
        const pkg = await store.putPackage(job.id, {
          sha256: 'ab'.repeat(32),
          size: data.length,
          pieces: [data],
        });
        assert.equal(pkg.size, data.length);
        assert.equal((await store.getJob(job.id))?.package?.sha256, 'ab'.repeat(32));
        const back = await store.getPackage(job.id);
        assert.equal((await bytesOf(back?.chunks)).toString(), 'not really a tarball');
      });

      it('stores a package of several chunks and replaces it whole', async () => {
        const job = await store.createJob(newJob());
        const big = Buffer.alloc((2 << 20) + 12_345);
        for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
        await store.putPackage(job.id, {
          sha256: 'cd'.repeat(32),
          size: big.length,
          pieces: [big],
        });
        const back = await store.getPackage(job.id);
        assert.equal(back?.size, big.length);
        assert.ok((await bytesOf(back?.chunks)).equals(big), 'the bytes come back as they went in');
        const small = Buffer.from('the next version');
        await store.putPackage(job.id, {
          sha256: 'ef'.repeat(32),
          size: small.length,
          pieces: [small],
        });
        const again = await store.getPackage(job.id);
        assert.equal(again?.sha256, 'ef'.repeat(32));
        assert.equal((await bytesOf(again?.chunks)).toString(), 'the next version');
        // Only which package it is, its bytes kept elsewhere (an embedded store).
        await store.putPackage(job.id, { sha256: '12'.repeat(32), size: 7, pieces: [] });
        assert.equal((await store.getJob(job.id))?.package?.size, 7);
        await assert.rejects(
          store.putPackage('999999999', {
            sha256: 'ab'.repeat(32),
            size: small.length,
            pieces: [small],
          }),
          (err: unknown) => (err as { code?: string }).code === 'NOT_FOUND',
        );
      });

      it('writes a webhook delivery when a run ends, and hands it to one sender at a time', async () => {
        const { run, leaseToken } = await claimedRun({
          webhooks: [{ url: 'http://127.0.0.1:9/hook', events: ['failed'] }],
        });
        await store.finishRun(
          run.id,
          leaseToken,
          { state: 'failed', exitCode: 1, logBytes: 0, logTruncated: false },
          never,
        );
        const [first] = await store.takeNotifications(10, 60_000);
        assert.equal(first?.event, 'failed');
        assert.equal(first?.attempts, 1);
        assert.equal(JSON.parse(first?.payload ?? '{}').run.id, run.id);
        assert.deepEqual(await store.takeNotifications(10, 60_000), []);
        await store.retryNotification(first!.id, 60_000, 'connection refused');
        assert.deepEqual(await store.takeNotifications(10, 60_000), [], 'not due for a minute');
        await store.retryNotification(first!.id, 0, 'connection refused');
        const [again] = await store.takeNotifications(10, 60_000);
        assert.equal(again?.attempts, 2);
        await store.dropNotification(again!.id);
        await store.retryNotification(again!.id, 0, 'x');
        assert.deepEqual(await store.takeNotifications(10, 60_000), []);
      });
    });
  });
}
