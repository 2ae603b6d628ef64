import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createPinnedClock } from '../clock.ts';
import { AgentError } from '../errors.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import type { NodeRegistration } from '../model/nodes.ts';
import {
  createMembership,
  masterOf,
  matchesLabels,
  toMember,
  type Member,
  type Membership,
} from './membership.ts';

const REFERENCE_TIMESTAMP = 1_700_000_000_000;
const HEARTBEAT_MS = 1000;

/** A node's registration; without labels, as an agent started without --labels registers. */
function registration(id: string, labels?: Record<string, string>): NodeRegistration {
  return {
    id,
    hostname: `host-${id}`,
    address: `127.0.0.1:86${id.padStart(2, '0')}`,
    version: '0.1.0',
    pid: 100 + Number(id),
    slots: Number(id),
    ...(labels === undefined ? {} : { labels }),
  };
}

describe('createMembership', () => {
  const clock = createPinnedClock(REFERENCE_TIMESTAMP);
  let store: Store;
  let membership: Membership;

  beforeEach(async () => {
    clock.set(REFERENCE_TIMESTAMP);
    // The SQLite store stamps heartbeats with this clock and reads it as the database clock.
    store = createSqliteStore({ path: ':memory:', clock });
    await store.migrate();
    membership = createMembership({ store, heartbeatMs: HEARTBEAT_MS });
  });
  afterEach(() => store.close());

  it('counts a node alive until it misses three heartbeats', async () => {
    await store.registerNode(registration('1'));
    assert.equal(membership.staleAfterMs, 3 * HEARTBEAT_MS);
    clock.advance(3 * HEARTBEAT_MS);
    let [node] = await membership.members();
    assert.equal(node?.alive, true);
    assert.equal(node?.status, 'up');
    assert.equal(node?.heartbeatAgeMs, 3 * HEARTBEAT_MS);

    clock.advance(1);
    [node] = await membership.members();
    assert.equal(node?.alive, false);
    assert.equal(node?.status, 'stale');

    await store.heartbeat('1');
    assert.equal((await membership.member('1'))?.alive, true, 'a heartbeat brings it back');
  });

  it('counts a node that stopped cleanly as down, however fresh its heartbeat', async () => {
    await store.registerNode(registration('1'));
    await store.deregisterNode('1');
    const node = await membership.member('1');
    assert.equal(node?.alive, false);
    assert.equal(node?.status, 'down');
    assert.equal(await membership.member('404'), undefined);
  });

  it('names the longest-running live node master, and the next one when it dies', async () => {
    await store.registerNode(registration('2'));
    clock.advance(100);
    await store.registerNode(registration('1'));
    assert.equal((await membership.master())?.id, '2', 'the older node, whatever its id');

    // Node 2 is killed: only node 1 keeps beating.
    for (let i = 0; i < 4; i += 1) {
      clock.advance(HEARTBEAT_MS);
      await store.heartbeat('1');
    }
    assert.deepEqual(
      (await membership.members()).map((m) => [m.id, m.status]),
      [
        ['1', 'up'],
        ['2', 'stale'],
      ],
    );
    assert.equal((await membership.master())?.id, '1');
    assert.deepEqual(
      (await membership.live()).map((m) => m.id),
      ['1'],
    );

    // Restarted, node 2 is the youngest and does not take the lead back.
    await store.registerNode(registration('2'));
    assert.equal((await membership.master())?.id, '1');
    assert.equal((await membership.live()).length, 2);
  });

  it('has no master when no node is alive', async () => {
    assert.equal(await membership.master(), undefined);
    await store.registerNode(registration('1'));
    clock.advance(10 * HEARTBEAT_MS);
    assert.equal(await membership.master(), undefined);
  });

  it('filters live members by labels, which outlive a restart', async () => {
    for (const id of ['1', '2', '3']) await store.registerNode(registration(id));
    await membership.setLabels('1', { tag1: 'dev_1', tag2: 'dev_2' });
    await membership.setLabels('2', { tag1: 'dev_1' });
    await membership.setLabels('3', { tag1: 'dev_1' });
    await store.deregisterNode('3');

    const ids = async (selector?: Record<string, string>) =>
      (await membership.live(selector)).map((m) => m.id);
    assert.deepEqual(await ids(), ['1', '2']);
    assert.deepEqual(await ids({}), ['1', '2']);
    assert.deepEqual(await ids({ tag1: 'dev_1' }), ['1', '2'], 'node 3 is down');
    assert.deepEqual(await ids({ tag1: 'dev_1', tag2: 'dev_2' }), ['1']);
    assert.deepEqual(await ids({ tag1: 'dev_2' }), []);

    await store.registerNode(registration('3'));
    assert.deepEqual(await ids({ tag1: 'dev_1' }), ['1', '2', '3']);
    await membership.setLabels('1', {});
    assert.deepEqual(await ids({ tag2: 'dev_2' }), []);

    // Labels given at start (--labels) replace the stored ones.
    await store.registerNode(registration('2', { zone: 'a' }));
    assert.deepEqual(await ids({ tag1: 'dev_1' }), ['3']);
    assert.deepEqual(await ids({ zone: 'a' }), ['2']);
  });

  it("tells each live member's slots, for the members a selector matches", async () => {
    for (const id of ['1', '2', '3']) await store.registerNode(registration(id));
    await membership.setLabels('2', { role: 'etl' });
    await membership.setLabels('3', { role: 'etl' });
    await store.deregisterNode('3');
    const slots = async (selector?: Record<string, string>) =>
      (await membership.live(selector)).reduce((sum, m) => sum + m.slots, 0);
    assert.equal(await slots(), 1 + 2, 'node 3 is down');
    assert.equal(await slots({ role: 'etl' }), 2);
    assert.equal(await slots({ role: 'none' }), 0);
  });

  it('refuses labels that are too many or too long, and an unknown node', async () => {
    await store.registerNode(registration('1'));
    const invalid = (pattern: RegExp) => (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.code, 'INVALID_INPUT');
      assert.match(err.message, pattern);
      return true;
    };
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    await assert.rejects(membership.setLabels('1', many), invalid(/at most 64 labels, not 65/));
    await assert.rejects(membership.setLabels('1', { '': 'v' }), invalid(/label name/));
    await assert.rejects(
      membership.setLabels('1', { k: 'v'.repeat(513) }),
      invalid(/label "k" must be a string of at most 512/),
    );
    assert.deepEqual((await membership.member('1'))?.labels, {}, 'nothing was stored');
    await assert.rejects(membership.setLabels('404', { k: 'v' }), (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.code, 'NOT_FOUND');
      return true;
    });
  });
});

describe('masterOf', () => {
  const member = (id: string, startedAt: number, alive = true): Member => ({
    ...toMember(
      {
        ...registration(id),
        labels: {},
        slots: 1,
        registeredAt: 0,
        startedAt,
        heartbeatAt: startedAt,
        state: 'up',
      },
      startedAt,
      3000,
    ),
    alive,
  });

  it('picks the earliest start among live members, the smaller id on a tie', () => {
    assert.equal(masterOf([member('3', 20), member('20', 10), member('9', 10)])?.id, '9');
    assert.equal(masterOf([member('1', 5, false), member('2', 10)])?.id, '2');
    assert.equal(masterOf([member('1', 5, false)]), undefined);
    assert.equal(masterOf([]), undefined);
  });
});

describe('matchesLabels', () => {
  it('wants every key and value of the selector', () => {
    const labels = { tag1: 'dev_1', tag2: 'dev_2' };
    assert.equal(matchesLabels(labels, {}), true);
    assert.equal(matchesLabels(labels, { tag1: 'dev_1' }), true);
    assert.equal(matchesLabels(labels, { tag1: 'dev_1', tag2: 'x' }), false);
    assert.equal(matchesLabels(labels, { tag3: '' }), false);
    assert.equal(matchesLabels({}, { toString: 'x' }), false, 'only own keys');
  });
});
