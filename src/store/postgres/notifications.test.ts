// Store.watch on PostgreSQL: what one store commits, another watching the same schema hears of
// (its own changes, and other schemas', it does not), and the LISTEN connection comes back by
// itself after the server restarts or is down a while, without an uncaught error.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { newJob } from '../../../test/support/jobs.ts';
import {
  createTestSchema,
  startPostgres,
  type TestPostgres,
  type TestSchema,
} from '../../../test/support/postgres.ts';
import type { Store, StoreChange, StoreWatcher } from '../store.ts';
import { notifyStatement, parsePayload } from './notifications.ts';
import { createPostgresStore } from './postgres-store.ts';

describe('notification payloads', () => {
  it('carry the schema, the sender and what changed, once each', () => {
    const sql = notifyStatement('s1', 'abc', new Set(['runs', 'jobs']));
    assert.equal(sql, `notify bosun_changes, 's1 abc rj'`);
    const payload = 's1 abc rj';
    assert.deepEqual(parsePayload(payload, 's1', 'other'), { jobs: true, runs: true });
    assert.equal(parsePayload(payload, 's1', 'abc'), undefined, 'its own');
    assert.equal(parsePayload(payload, 's2', 'other'), undefined, "another schema's");
    assert.equal(parsePayload('garbage', 's1', 'other'), undefined);
    assert.equal(parsePayload(undefined, 's1', 'other'), undefined);
  });
});

type Heard = { change?: StoreChange; listening?: boolean };

/** A watcher that queues what it hears, for the test to take one at a time. */
function recorder(): StoreWatcher & { next(): Promise<Heard> } {
  const queue: Heard[] = [];
  let wake: (() => void) | undefined;
  const push = (h: Heard) => {
    queue.push(h);
    wake?.();
  };
  return {
    onChange: (change) => push({ change }),
    onStatus: ({ listening }) => push({ listening }),
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return queue.shift()!;
    },
  };
}

/** Retries `fn` while the server is still coming back (the pool finds its old connections gone). */
async function once<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function listeners(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity where application_name = 'bosun-listen'`,
    );
    return Number(result.rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('Store.watch on PostgreSQL', () => {
  let server: TestPostgres;
  let schema: TestSchema;
  let writer: Store;
  let watcher: Store;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  before(async () => {
    // Its own server: these tests restart it and take it down.
    server = await startPostgres({ own: true });
    process.on('uncaughtException', onUncaught);
  });
  after(async () => {
    process.off('uncaughtException', onUncaught);
    await server?.stop();
  });
  beforeEach(async () => {
    schema = await createTestSchema(server.url);
    writer = createPostgresStore({ url: server.url, schema: schema.schema, poolSize: 2 });
    watcher = createPostgresStore({ url: server.url, schema: schema.schema, poolSize: 2 });
    await writer.migrate();
  });
  /** The watcher listens (hearing "everything" once: it cannot know what came before), then hears a job. */
  async function watchThenCreateJob() {
    const heard = recorder();
    watcher.watch!(heard);
    assert.deepEqual(await heard.next(), { listening: true });
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: true } });
    const job = await writer.createJob(newJob());
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: false } });
    return { heard, job };
  }
  afterEach(async () => {
    await Promise.all([writer.close(), watcher.close()]);
    await schema.drop();
    assert.deepEqual(uncaught, [], 'nothing escaped as an uncaught error');
  });

  it("hears another store's jobs and runs, and neither its own changes nor another schema's", async () => {
    const { heard, job } = await watchThenCreateJob();
    // A change that fails (the name is taken) tells no one: the next thing heard is the run.
    await assert.rejects(
      writer.createJob({ ...newJob(), spec: { ...newJob().spec, name: job.name } }),
    );
    await writer.createRun(job.id, {});
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });

    // Notifications arrive in commit order: had it heard its own run, or the other schema's job,
    // the next thing heard would say so (runs), or be merged with the job that follows.
    await watcher.createRun(job.id, {});
    const elsewhere = await createTestSchema(server.url);
    const other = createPostgresStore({ url: server.url, schema: elsewhere.schema, poolSize: 1 });
    try {
      await other.migrate();
      await other.createJob(newJob());
    } finally {
      await other.close();
      await elsewhere.drop();
    }
    await writer.updateJob({ ...newJob(), id: job.id });
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: false } });

    // A claim, a renewal or a start is not news (had one been heard, the next thing heard would
    // say runs); a run's end is.
    const { claimed } = await writer.claimRuns('n1', 2, Date.now() + 1000, 0, 30_000);
    assert.equal(claimed.length, 2);
    await writer.renewLeases(
      'n1',
      claimed.map((c) => ({ runId: c.run.id, token: c.leaseToken })),
      30_000,
    );
    const [first] = claimed;
    await writer.markStarted(first!.run.id, first!.leaseToken, 4242);
    await writer.updateJob({ ...newJob(), id: job.id });
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: false } });
    await writer.finishRun(
      first!.run.id,
      first!.leaseToken,
      { state: 'succeeded', exitCode: 0, logBytes: 0, logTruncated: false },
      () => undefined,
    );
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });

    // An end written in one statement under the job as claimed is news when the job's overlap
    // policy may hold other runs up for it; an allow job's holds up nothing.
    const endAlone = async () => {
      const [next] = (await writer.claimRuns('n1', 1, Date.now() + 1000, 0, 30_000)).claimed;
      const ended = await writer.finishRun(
        next!.run.id,
        next!.leaseToken,
        { state: 'succeeded', exitCode: 0, logBytes: 0, logTruncated: false },
        () => undefined,
        next!.job,
      );
      assert.equal(ended?.run.state, 'succeeded');
    };
    await writer.createRun(job.id, {});
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });
    await endAlone();
    const queue = await writer.createJob(newJob({ overlap: 'queue' }));
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: false } });
    await writer.createRun(queue.id, {});
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });
    await endAlone();
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });
  });

  it('listens again after the server restarts, and after it was down a while', async () => {
    const { heard, job } = await watchThenCreateJob();

    await server.restart();
    assert.equal((await heard.next()).listening, false);
    assert.deepEqual(await heard.next(), { listening: true });
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: true } });
    await once(() => writer.createRun(job.id, {}));
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });

    const down = await server.down();
    assert.equal((await heard.next()).listening, false);
    // Several attempts fail meanwhile (backoff from 100 ms); none is reported again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await down.up();
    assert.deepEqual(await heard.next(), { listening: true });
    assert.deepEqual(await heard.next(), { change: { jobs: true, runs: true } });
    await once(() => writer.createRun(job.id, {}));
    assert.deepEqual(await heard.next(), { change: { jobs: false, runs: true } });
  });

  it('closes its connection when the last watcher leaves, and opens one again', async () => {
    const one = recorder();
    const two = recorder();
    const stopOne = watcher.watch!(one);
    const stopTwo = watcher.watch!(two);
    assert.deepEqual(await one.next(), { listening: true });
    // One connection for both watchers (a closed one may take a moment to leave the list).
    await once(async () => assert.equal(await listeners(server.url), 1));
    stopOne();
    assert.equal(await listeners(server.url), 1);
    stopTwo();
    await once(async () => assert.equal(await listeners(server.url), 0));
    const three = recorder();
    watcher.watch!(three);
    assert.deepEqual(await three.next(), { listening: true });
    await watcher.close();
    await once(async () => assert.equal(await listeners(server.url), 0));
  });
});
