// The webhook notifier against a real SQLite store and a real HTTP receiver on loopback.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../ids.ts';
import { silentLogger } from '../logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { JOB_DEFAULTS } from './job-spec.ts';
import { createNotifier, redeliveryDelayMs, signature } from './notifier.ts';

let store: Store;
let server: Server;
let url = '';
const received: { body: string; signature: string | undefined }[] = [];
let failuresLeft = 0;

describe('notifier', () => {
  before(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.statusCode = 500;
          res.end();
          return;
        }
        received.push({ body, signature: req.headers['x-bosun-signature'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  after(async () => {
    server.close();
    await store.close();
  });

  /** A failed run of a job with a webhook: one outbox row. */
  async function failedRun(secret: string): Promise<string> {
    const job = await store.createJob({
      id: newId(),
      spec: {
        ...JOB_DEFAULTS,
        name: `hooked-${newId()}`,
        cmd: 'false',
        webhooks: [{ url, events: ['failed'], secret }],
      },
      schedules: [],
    });
    const { run } = await store.createRun(job.id, {});
    const { claimed } = await store.claimRuns('n', 1, Date.now() + 1000, 0, 30_000);
    const claim = claimed.find((c) => c.run.id === run.id);
    assert.ok(claim);
    await store.finishRun(
      run.id,
      claim.leaseToken,
      { state: 'failed', exitCode: 1, logBytes: 0, logTruncated: false },
      () => undefined,
    );
    return run.id;
  }

  test('delivers signed, and keeps delivering while runs end faster than it is poked', async () => {
    const notifier = createNotifier({
      store,
      logger: silentLogger(),
      config: { pollMs: 60_000, timeoutMs: 2000, maxAttempts: 3 },
    });
    try {
      const runId = await failedRun('k1');
      // A poke every 50 ms must not keep pushing the pass away.
      for (let i = 0; i < 20 && received.length === 0; i += 1) {
        notifier.poke();
        await sleep(50);
      }
      assert.equal(received.length, 1);
      const [hook] = received;
      assert.equal(JSON.parse(hook!.body).run.id, runId);
      assert.equal(hook!.signature, signature('k1', hook!.body));
      assert.deepEqual(await store.takeNotifications(10, 1000), []);
    } finally {
      await notifier.stop();
    }
  });

  test('retries a delivery the receiver refused, with backoff', async () => {
    received.length = 0;
    failuresLeft = 1;
    const notifier = createNotifier({
      store,
      logger: silentLogger(),
      config: { pollMs: 50, timeoutMs: 2000, maxAttempts: 3, retryBaseMs: 200 },
    });
    try {
      const runId = await failedRun('k2');
      await sleep(150);
      assert.equal(failuresLeft, 0, 'the first attempt got its 500');
      assert.equal(received.length, 0);
      for (let i = 0; i < 40 && received.length === 0; i += 1) await sleep(50);
      assert.equal(
        JSON.parse(received[0]?.body ?? '{}').run?.id,
        runId,
        'the second attempt got through',
      );
    } finally {
      await notifier.stop();
    }
  });

  test('redelivery waits double each time, at most an hour', () => {
    assert.deepEqual(
      [1, 2, 3, 20].map((n) => redeliveryDelayMs(n)),
      [5000, 10_000, 20_000, 3_600_000],
    );
  });
});
