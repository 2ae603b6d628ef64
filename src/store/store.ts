// The Store port. Two implementations, store/sqlite and store/postgres, pass one contract suite
// (store/contract.test.ts). Only agent.ts picks an implementation; everything else sees this interface.

/** What a backend can do, declared rather than branched on with `if (kind === 'sqlite')`. */
export interface StoreCapabilities {
  /** 'sqlite' or 'postgres', for logs and /api/v1/system only. */
  readonly kind: 'sqlite' | 'postgres';
  /** Several agents may share this store (a cluster). SQLite: false. */
  readonly sharedByNodes: boolean;
  /** Row claims can use FOR UPDATE SKIP LOCKED. */
  readonly skipLocked: boolean;
}

/** What an agent says about itself when it registers. */
export interface NodeRegistration {
  id: string;
  hostname: string;
  /** host:port the agent's HTTP server listens on. */
  address: string;
  version: string;
  pid: number;
  labels: Record<string, string>;
}

export interface NodeRecord extends NodeRegistration {
  /** When this node first registered, ms since the epoch. */
  registeredAt: number;
  /** When this life of the agent started (the latest registration), ms. */
  startedAt: number;
  /** Latest heartbeat, ms, by the database clock. */
  heartbeatAt: number;
  /** 'up' while heartbeats arrive, 'down' after a clean stop. Staleness is judged by the reader. */
  state: 'up' | 'down';
  /** The latest host snapshot as JSON (vminfo shape), if one was stored. */
  sampleJson?: string;
  /** When that sample was taken, ms. */
  sampleAt?: number;
}

export interface Store {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; idempotent, safe to call from several nodes at once. */
  migrate(): Promise<void>;
  /** The schema version after migrate(). */
  schemaVersion(): Promise<number>;
  /** The database clock, ms since the epoch (in a cluster every node agrees on it). */
  now(): Promise<number>;

  /** Inserts or refreshes this node's row: state 'up', startedAt = heartbeatAt = now. */
  registerNode(node: NodeRegistration): Promise<NodeRecord>;
  /** Renews the heartbeat and optionally stores the latest sample. Throws NOT_FOUND for an unknown node. */
  heartbeat(nodeId: string, sample?: { json: string; at: number }): Promise<void>;
  /** Marks the node 'down' (clean shutdown). */
  deregisterNode(nodeId: string): Promise<void>;
  getNode(nodeId: string): Promise<NodeRecord | undefined>;
  /** All nodes, by id. */
  listNodes(): Promise<NodeRecord[]>;

  /** Small key/value settings owned by the agent (e.g. the cookie signing secret). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /** Sets the value only if the key has none; returns the value that won (safe when nodes race). */
  setSettingIfAbsent(key: string, value: string): Promise<string>;

  close(): Promise<void>;
}
