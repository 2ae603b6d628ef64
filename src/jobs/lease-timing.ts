// Every period of the run lease, derived from the lease alone so that one setting (--lease) keeps the
// inequality that makes a takeover safe (docs/cluster.md, "The timing"):
//
//   fence + grace + slack < lease
//
// The owner counts its deadlines from when its last successful renewal was sent, which is no later
// than the store's own count of the lease; at `fenceAfterMs` of silence it sends its runs SIGTERM, at
// `fenceAfterMs + fenceGraceMs` SIGKILL, and the spawn helper SIGKILLs them at `helperKillAfterMs`
// even if the agent is stopped. Only then can the lease run out and another node take the run over.

export interface LeaseTiming {
  /** How long a granted or renewed lease lasts in the store. */
  leaseMs: number;
  /** How often the owner renews its leases. */
  renewMs: number;
  /** How soon a renewal that failed is tried again. */
  renewRetryMs: number;
  /** Silence after which the owner stops its runs itself (SIGTERM). */
  fenceAfterMs: number;
  /** SIGTERM → SIGKILL of a fenced run. */
  fenceGraceMs: number;
  /** Silence after which the spawn helper SIGKILLs the runs, the agent stopped or not. */
  helperKillAfterMs: number;
  /** How often each node looks for expired leases to take over. */
  reapMs: number;
}

/**
 * The lease of 12 s fails over within 15 s and rides out a store outage of 5.5 s at least (one that
 * begins just as a renewal was due; 7.5 s when it begins just after one): the fence minus a renewal
 * period minus the retry (cluster.md).
 */
export const DEFAULT_LEASE_MS = 12_000;
export const MIN_LEASE_MS = 6000;

export function leaseTiming(leaseMs: number): LeaseTiming {
  const slice = leaseMs / 12;
  return {
    leaseMs,
    renewMs: 2 * slice,
    renewRetryMs: slice / 2,
    fenceAfterMs: 8 * slice,
    fenceGraceMs: 2 * slice,
    helperKillAfterMs: 11 * slice,
    reapMs: slice,
  };
}

/**
 * How often a node's reaper looks for expired leases. On a store shared by nodes, every `reapMs`
 * (L/12): another node's dead runs fail over within L + L/12. On a store of its own (SQLite) there is
 * no other node: the only leases that can run out are this agent's own, after its renewals failed
 * and its runner fenced the runs itself (a previous life's runs are recovered at start). Finding
 * those once a lease is soon enough, and an idle agent then asks its store once a lease instead of
 * once a second: each look is a write transaction and a wake-up of an otherwise idle process, the
 * main part of an idle agent's CPU (docs/performance.md, Footprint).
 */
export function reapEveryMs(timing: LeaseTiming, sharedStore: boolean): number {
  return sharedStore ? timing.reapMs : timing.leaseMs;
}
