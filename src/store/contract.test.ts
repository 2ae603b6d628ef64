// The Store contract: one suite that every backend must pass (test/support/store-backends.ts). The
// jobs half of the contract is in jobs/jobs-contract.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { storeBackends, useFreshStore } from '../../test/support/store-backends.ts';
import { AgentError } from '../errors.ts';
import type { Store } from './store.ts';
import type { NodeRegistration } from '../model/nodes.ts';

function registration(overrides: Partial<NodeRegistration> = {}): NodeRegistration {
  return {
    id: '123456789012345',
    hostname: 'host-a',
    address: '127.0.0.1:8600',
    version: '0.1.0',
    pid: 4242,
    labels: { zone: 'eu-1', role: 'worker' },
    slots: 4,
    ...overrides,
  };
}

function isStoreError(pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof AgentError, `expected an AgentError, got ${String(err)}`);
    assert.equal(err.code, 'STORE');
    assert.match(err.message, pattern);
    return true;
  };
}

for (const backend of storeBackends()) {
  describe(`The ${backend.name} store`, () => {
    let store: Store;
    const open = useFreshStore(backend, (s) => (store = s));

    describe('migrations', () => {
      it('report schema version 0 before migrating and the latest version after', async () => {
        await backend.fresh();
        const empty = open();
        assert.equal(await empty.schemaVersion(), 0);
        await empty.migrate();
        assert.equal(await empty.schemaVersion(), backend.latestVersion);
      });

      it('are idempotent when applied again', async () => {
        await store.migrate();
        await store.migrate();
        assert.equal(await store.schemaVersion(), backend.latestVersion);
      });

      it('succeed when two stores migrate the same database at once', async () => {
        await backend.fresh();
        const a = open();
        const b = open();
        await Promise.all([a.migrate(), b.migrate()]);
        assert.equal(await a.schemaVersion(), backend.latestVersion);
        assert.equal(await b.schemaVersion(), backend.latestVersion);
      });
    });

    it('declares its capabilities', () => {
      assert.equal(store.capabilities.kind, backend.name === 'SQLite' ? 'sqlite' : 'postgres');
      assert.equal(store.capabilities.skipLocked, store.capabilities.sharedByNodes);
    });

    it('reads a clock within a second of the local clock', async () => {
      const now = await store.now();
      assert.ok(Number.isInteger(now), `now() should be whole ms, got ${now}`);
      assert.ok(
        Math.abs(now - Date.now()) < 1000,
        `now() ${now} is far from Date.now() ${Date.now()}`,
      );
    });

    describe('nodes', () => {
      it('registers a new node as up with equal registration, start and heartbeat times', async () => {
        const earliest = await store.now();
        const node = await store.registerNode(registration());
        assert.deepEqual(
          { ...node, registeredAt: 0, startedAt: 0, heartbeatAt: 0 },
          {
            ...registration(),
            registeredAt: 0,
            startedAt: 0,
            heartbeatAt: 0,
            state: 'up',
          },
        );
        assert.ok(node.registeredAt >= earliest && node.registeredAt <= (await store.now()));
        assert.equal(node.startedAt, node.registeredAt);
        assert.equal(node.heartbeatAt, node.registeredAt);
        assert.deepEqual(await store.getNode(node.id), node);
      });

      it('refreshes the start time but keeps the registration time when a node registers again', async () => {
        const first = await store.registerNode(registration());
        await sleep(10);
        const second = await store.registerNode(
          registration({ pid: 5151, version: '0.2.0', address: '10.0.0.2:8600' }),
        );
        assert.equal(second.registeredAt, first.registeredAt);
        assert.ok(second.startedAt > first.startedAt);
        assert.equal(second.heartbeatAt, second.startedAt);
        assert.equal(second.pid, 5151);
        assert.equal(second.version, '0.2.0');
        assert.equal(second.address, '10.0.0.2:8600');
        assert.deepEqual(await store.getNode(first.id), second);
        assert.equal((await store.listNodes()).length, 1);
      });

      it('renews the heartbeat and keeps the latest sample until a newer one arrives', async () => {
        const node = await store.registerNode(registration());
        await sleep(10);
        await store.heartbeat(node.id);
        const beat = await store.getNode(node.id);
        assert.ok(beat !== undefined && beat.heartbeatAt > node.heartbeatAt);
        assert.equal(beat.sampleJson, undefined);
        assert.equal(beat.sampleAt, undefined);
        assert.equal(beat.startedAt, node.startedAt);

        const sample = { json: JSON.stringify({ cpu: { usage: 12.5 } }), at: 1_700_000_000_123 };
        await store.heartbeat(node.id, sample);
        await store.heartbeat(node.id);
        const latest = await store.getNode(node.id);
        assert.equal(latest?.sampleJson, sample.json);
        assert.equal(latest?.sampleAt, sample.at);
      });

      it('rejects a heartbeat from an unknown node with NOT_FOUND', async () => {
        await assert.rejects(store.heartbeat('999'), (err: unknown) => {
          assert.ok(err instanceof AgentError);
          assert.equal(err.code, 'NOT_FOUND');
          assert.match(err.message, /999/);
          return true;
        });
      });

      it('marks a deregistered node down and up again when it registers', async () => {
        const node = await store.registerNode(registration());
        await store.deregisterNode(node.id);
        assert.equal((await store.getNode(node.id))?.state, 'down');
        await store.registerNode(registration());
        assert.equal((await store.getNode(node.id))?.state, 'up');
      });

      it('treats an unknown node as absent', async () => {
        assert.equal(await store.getNode('404'), undefined);
        await store.deregisterNode('404');
        assert.deepEqual(await store.listNodes(), []);
      });

      it('lists nodes by id, decimal ids in numeric order', async () => {
        for (const id of ['1000000000000000', '20', '999999999999999', '3']) {
          await store.registerNode(registration({ id, hostname: `host-${id}` }));
        }
        const nodes = await store.listNodes();
        assert.deepEqual(
          nodes.map((n) => n.id),
          ['3', '20', '999999999999999', '1000000000000000'],
        );
        assert.deepEqual(
          nodes.map((n) => n.hostname),
          ['host-3', 'host-20', 'host-999999999999999', 'host-1000000000000000'],
        );
      });

      it('round-trips labels, including none and non-ASCII values', async () => {
        const labels = { 'bosun.io/zone': 'zürich-1', empty: '', quote: `"it's"` };
        await store.registerNode(registration({ id: '1', labels }));
        await store.registerNode(registration({ id: '2', labels: {} }));
        assert.deepEqual((await store.getNode('1'))?.labels, labels);
        assert.deepEqual((await store.getNode('2'))?.labels, {});
      });

      it("replaces a node's labels and keeps them when the node registers again", async () => {
        const node = await store.registerNode(registration());
        await store.setNodeLabels(node.id, { tag1: 'dev_1', 'bosun.io/zone': 'zürich-1' });
        assert.deepEqual((await store.getNode(node.id))?.labels, {
          tag1: 'dev_1',
          'bosun.io/zone': 'zürich-1',
        });
        await store.deregisterNode(node.id);
        // A restart without --labels registers none: the stored ones stay.
        const { labels: _none, ...restart } = registration({ pid: 5151 });
        const again = await store.registerNode(restart);
        assert.deepEqual(again.labels, { tag1: 'dev_1', 'bosun.io/zone': 'zürich-1' });
        assert.equal(again.state, 'up');
        await store.setNodeLabels(node.id, {});
        assert.deepEqual((await store.getNode(node.id))?.labels, {});
        assert.equal((await store.getNode(node.id))?.pid, 5151, 'nothing else changes');
      });

      it('replaces the labels with those a registration gives (--labels at start)', async () => {
        const node = await store.registerNode(registration());
        await store.setNodeLabels(node.id, { tag1: 'dev_1' });
        const again = await store.registerNode(registration({ labels: { zone: 'b' } }));
        assert.deepEqual(again.labels, { zone: 'b' });
        assert.deepEqual((await store.registerNode(registration({ labels: {} }))).labels, {});
        // A new node registered without labels has none.
        const { labels: _none, ...bare } = registration({ id: '77' });
        assert.deepEqual((await store.registerNode(bare)).labels, {});
      });

      it("keeps each node's slots as its latest registration gives them", async () => {
        const node = await store.registerNode(registration({ slots: 20 }));
        assert.equal(node.slots, 20);
        assert.equal((await store.getNode(node.id))?.slots, 20);
        await store.registerNode(registration({ id: '2', slots: 0 }));
        const { slots: _none, ...noSlots } = registration({ id: '3' });
        await store.registerNode(noSlots);
        assert.deepEqual(
          (await store.listNodes()).map((n) => [n.id, n.slots]),
          [
            ['2', 0],
            ['3', 0],
            [node.id, 20],
          ],
        );
        // A restart with another --slots.
        assert.equal((await store.registerNode(registration({ slots: 3 }))).slots, 3);
        await store.heartbeat(node.id);
        assert.equal((await store.getNode(node.id))?.slots, 3, 'a heartbeat keeps them');
      });

      it('rejects labels for an unknown node with NOT_FOUND', async () => {
        await assert.rejects(store.setNodeLabels('999', { a: 'b' }), (err: unknown) => {
          assert.ok(err instanceof AgentError);
          assert.equal(err.code, 'NOT_FOUND');
          assert.match(err.message, /999/);
          return true;
        });
        assert.deepEqual(await store.listNodes(), []);
      });
    });

    describe('settings', () => {
      it('reads a missing key as undefined', async () => {
        assert.equal(await store.getSetting('missing'), undefined);
      });

      it('stores, reads and overwrites a value', async () => {
        await store.setSetting('cookie.secret', 'first');
        assert.equal(await store.getSetting('cookie.secret'), 'first');
        await store.setSetting('cookie.secret', 'second ✓');
        assert.equal(await store.getSetting('cookie.secret'), 'second ✓');
        await store.setSetting('other', '');
        assert.equal(await store.getSetting('other'), '');
        assert.equal(await store.getSetting('cookie.secret'), 'second ✓');
      });

      it('sets a value only when absent and returns the one that won', async () => {
        assert.equal(await store.setSettingIfAbsent('race', 'a'), 'a');
        assert.equal(await store.setSettingIfAbsent('race', 'b'), 'a');
        const both = await Promise.all([
          store.setSettingIfAbsent('race2', 'x'),
          store.setSettingIfAbsent('race2', 'y'),
        ]);
        assert.equal(both[0], both[1]);
      });
    });

    it('keeps its data across close and reopen', async () => {
      const node = await store.registerNode(registration());
      await store.setSetting('node.id', node.id);
      await store.close();

      const reopened = open();
      await reopened.migrate();
      assert.equal(await reopened.getSetting('node.id'), node.id);
      assert.deepEqual(await reopened.getNode(node.id), node);
    });

    it('fails with a clear STORE error once closed, and closes twice without error', async () => {
      await store.close();
      await store.close();
      await assert.rejects(store.migrate(), isStoreError(/closed/));
      await assert.rejects(store.now(), isStoreError(/closed/));
      await assert.rejects(
        store.registerNode(registration()),
        isStoreError(/cannot register a node.*closed/),
      );
      await assert.rejects(store.listNodes(), isStoreError(/closed/));
      await assert.rejects(store.getSetting('x'), isStoreError(/closed/));
    });
  });
}
