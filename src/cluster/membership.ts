// Cluster membership from node heartbeats: which registered nodes are alive, which live node leads,
// and each node's labels. Every surface that shows members (native nodes, SeaTunnel monitoring and
// overview) asks here, so they agree, and every node answers alike: all read the same rows and judge
// them by the database clock that stamped the heartbeats.
import { AgentError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { NodeRecord } from '../model/nodes.ts';

/** Heartbeats a node may miss and still count as alive. */
export const MISSED_HEARTBEATS = 3;

/** Labels a node may carry, and their sizes: they travel with every read of the nodes. */
export const LABEL_LIMITS = Object.freeze({ count: 64, keyChars: 128, valueChars: 512 });

/** `up`: alive; `down`: it stopped cleanly; `stale`: it missed too many heartbeats (killed, cut off). */
export type MemberStatus = 'up' | 'down' | 'stale';

export interface Member extends NodeRecord {
  /** Counted in the cluster: its row is up and its heartbeat is fresh. */
  alive: boolean;
  /** Why it is alive or not. */
  status: MemberStatus;
  /** Age of its latest heartbeat by the database clock, ms. */
  heartbeatAgeMs: number;
}

export interface Membership {
  /** How long a node may go without a heartbeat and still count as alive, ms. */
  readonly staleAfterMs: number;
  /** Every registered node, alive or not, by id. */
  members(): Promise<Member[]>;
  /** One node, or undefined when it never registered. */
  member(nodeId: string): Promise<Member | undefined>;
  /** The live members whose labels hold every key and value of `selector` (all when it is empty). */
  live(selector?: Readonly<Record<string, string>>): Promise<Member[]>;
  /** The live member that leads (masterOf), or undefined when none is alive. */
  master(): Promise<Member | undefined>;
  /** Replaces a node's labels; they outlive its restarts. */
  setLabels(nodeId: string, labels: Readonly<Record<string, string>>): Promise<void>;
}

export function createMembership(deps: { store: Store; heartbeatMs: number }): Membership {
  const { store } = deps;
  const staleAfterMs = MISSED_HEARTBEATS * deps.heartbeatMs;
  // The heartbeats were stamped by the store's clock, so they are judged by it: a node whose own
  // clock is off still sees the same members as every other node.
  const members = async (): Promise<Member[]> => {
    const [nodes, now] = await Promise.all([store.listNodes(), store.now()]);
    return nodes.map((node) => toMember(node, now, staleAfterMs));
  };
  return {
    staleAfterMs,
    members,
    async member(nodeId) {
      const [node, now] = await Promise.all([store.getNode(nodeId), store.now()]);
      return node === undefined ? undefined : toMember(node, now, staleAfterMs);
    },
    async live(selector = {}) {
      return (await members()).filter((m) => m.alive && matchesLabels(m.labels, selector));
    },
    async master() {
      return masterOf(await members());
    },
    async setLabels(nodeId, labels) {
      checkLabels(labels);
      await store.setNodeLabels(nodeId, { ...labels });
    },
  };
}

/** A node as a member at `now` (database clock, ms). */
export function toMember(node: NodeRecord, now: number, staleAfterMs: number): Member {
  const heartbeatAgeMs = Math.max(0, now - node.heartbeatAt);
  const status: MemberStatus =
    node.state === 'down' ? 'down' : heartbeatAgeMs > staleAfterMs ? 'stale' : 'up';
  return { ...node, alive: status === 'up', status, heartbeatAgeMs };
}

/**
 * The leader among live members: the longest-running one (earliest start of its current life, as
 * Hazelcast's oldest member is its master), the smaller id on a tie. Deterministic, so every node
 * names the same one; a restarted node starts over as the youngest.
 */
export function masterOf(members: readonly Member[]): Member | undefined {
  let best: Member | undefined;
  for (const m of members) {
    if (!m.alive) continue;
    if (best === undefined || m.startedAt < best.startedAt) best = m;
    else if (m.startedAt === best.startedAt && compareIds(m.id, best.id) < 0) best = m;
  }
  return best;
}

/** Whether `labels` hold every key of `selector` with the same value; an empty selector matches all. */
export function matchesLabels(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(
    ([key, value]) => Object.hasOwn(labels, key) && labels[key] === value,
  );
}

/** Decimal ids (ids.ts) in numeric order: shorter first, then by digits. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function checkLabels(labels: Readonly<Record<string, string>>): void {
  const entries = Object.entries(labels);
  if (entries.length > LABEL_LIMITS.count) {
    throw new AgentError(
      'INVALID_INPUT',
      `a node takes at most ${LABEL_LIMITS.count} labels, not ${entries.length}; send fewer`,
    );
  }
  for (const [key, value] of entries) {
    if (key === '' || key.length > LABEL_LIMITS.keyChars) {
      throw new AgentError(
        'INVALID_INPUT',
        `a label name must have 1 to ${LABEL_LIMITS.keyChars} characters; "${key.slice(0, 40)}" has ${key.length}`,
      );
    }
    if (typeof value !== 'string' || value.length > LABEL_LIMITS.valueChars) {
      throw new AgentError(
        'INVALID_INPUT',
        `label "${key.slice(0, 40)}" must be a string of at most ${LABEL_LIMITS.valueChars} characters`,
      );
    }
  }
}
