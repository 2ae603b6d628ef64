// What a node is: one agent registered in the store, as it describes itself and as the store keeps
// it. Whether a node is alive is the cluster's judgement (cluster/membership.ts), not a field here.

/** What an agent says about itself when it registers. */
export interface NodeRegistration {
  id: string;
  hostname: string;
  /** host:port the agent's HTTP server listens on. */
  address: string;
  version: string;
  pid: number;
  /**
   * Its labels (SeaTunnel's tags): given, they replace the stored ones; absent, a node that registers
   * again keeps the ones stored (set by setNodeLabels while it ran), and a new node has none.
   */
  labels?: Record<string, string>;
  /** How many runs it takes at once (--slots); absent: 0, a node that offers no slot. */
  slots?: number;
}

export interface NodeRecord extends NodeRegistration {
  labels: Record<string, string>;
  slots: number;
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
