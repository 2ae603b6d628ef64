// The scheduler: one timer armed for the nearest due time (a schedule's cursor or a queued run), no
// polling loop on a store this node owns alone. Each wake-up turns due fires into runs (the store
// advances each cursor in the same transaction), claims what this node has slots for, and re-arms.
// On a shared store other nodes' changes wake it too (poke, from Store.watch), and a poll every
// pollMs stands in for any it did not hear of. It also recovers this node's runs after a crash,
// marks runs lost whose lease expired, and prunes.
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { DueTimes, FirePlanner, PrunePolicy, Store } from '../store/store.ts';
import type { JobsEvents } from './events.ts';
import type { Run } from '../model/runs.ts';
import { planRetry } from './retry.ts';
import { jitterMs } from './schedule/jitter.ts';
import { planFires } from './schedule/plan.ts';
import type { Runner } from './runner.ts';

/** How soon a pass looks again at a fire already inside the look-ahead window but not made yet. */
const REPASS_MS = 20;

export interface SchedulerConfig {
  /** Fires this far ahead become runs early, so their start needs only a claim. */
  lookaheadMs: number;
  /**
   * Runs due this soon are claimed ahead and started by the runner at their time, so a run's start
   * waits for neither the claim nor the store (Quartz acquires its triggers ahead the same way).
   */
  claimAheadMs: number;
  /** Longest sleep: other nodes of a shared store may add work this node hears nothing of. */
  pollMs: number;
  /**
   * Other nodes' changes reach poke() as they happen (Store.watch): on a shared store the schedules
   * are then read when a fire is near or a job changed, as on a store of its own, and at least
   * every pollMs in case a change went unheard. Without it, every pass reads them.
   */
  notified?: boolean;
  /**
   * On a shared store: the nodes whose heartbeat is this recent share a burst of due runs (each
   * claims its share, and looks again shortly for what the others left).
   */
  liveWithinMs?: number;
  /** When work is due but cannot start (slots full, a queued overlap), look again after this. */
  blockedMs: number;
  leaseMs: number;
  reapMs: number;
  pruneMs: number;
  prune: PrunePolicy;
  /** Missed fires a job with misfire `all` catches up at most. */
  catchupLimit: number;
}

export interface SchedulerDeps {
  store: Store;
  runner: Runner;
  events: JobsEvents;
  logger: Logger;
  clock: Clock;
  nodeId: string;
  /** The zone of schedules that name none. */
  defaultTz: string;
  config: SchedulerConfig;
}

export interface Scheduler {
  /** Recovers runs of this node's previous life, then starts the loop. */
  start(): Promise<void>;
  /** Something changed: look again now. Pass false when only runs changed (a run ended). */
  poke(jobsChanged?: boolean): void;
  /** Stops the loop and waits for a pass in flight, so nothing is claimed after it resolves. */
  stop(): Promise<void>;
}

/** Runs made per materialising transaction. */
const BATCH = 200;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, runner, events, logger, clock, config } = deps;
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  /** The pass in flight (or the last one). */
  let pass: Promise<void> = Promise.resolve();
  let again = false;
  let stopped = false;
  /** The earliest schedule cursor as last read; -Infinity until read or after a job changed. */
  let fireDueAt = -Infinity;
  const sharedStore = store.capabilities.sharedByNodes;
  /** When a pass last read every schedule (clock.now()), on a shared store. */
  let readAllAt = -Infinity;
  const housekeeping: NodeJS.Timeout[] = [];
  /** The reaper's view of the store (performance.now()): since when, and the last time, it answered. */
  let contactSince = 0;
  let lastContact = -Infinity;

  const planner: FirePlanner = (schedule, job, now) => {
    const plan = planFires({
      spec: schedule.spec,
      cursor: schedule.nextFireAt ?? now,
      now,
      misfire: job.misfire,
      graceMs: job.misfireGraceSec * 1000,
      catchupLimit: config.catchupLimit,
      lookaheadMs: config.lookaheadMs,
      ctx: { tz: deps.defaultTz, anchorMs: schedule.anchorAt },
    });
    const jitter = jitterMs(job.id, job.jitterSec);
    return {
      fires: plan.fires.map((f) => ({ ...f, runAt: f.scheduledFor + jitter })),
      nextFireAt: plan.nextFireAt,
    };
  };

  const publish = (runs: readonly Run[]): void => {
    for (const run of runs) events.publish({ type: 'run', run });
  };

  function arm(delayMs: number): void {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void tick(), Math.min(Math.max(0, delayMs), config.pollMs));
  }

  function tick(): Promise<void> {
    if (ticking) {
      again = true;
      return pass;
    }
    ticking = true;
    pass = runPass();
    return pass;
  }

  async function materialize(): Promise<void> {
    let made: Run[];
    do {
      made = await store.materialize(clock.now() + config.lookaheadMs, BATCH, planner);
      publish(made);
      if (made.some((run) => run.state === 'queued')) runner.prepare();
    } while (made.length >= BATCH && !stopped);
  }

  async function runPass(): Promise<void> {
    try {
      // Schedules are only read when a fire is near, a job changed, or other nodes may have
      // changed one unheard (every pass when their changes are not announced, else every pollMs).
      // A fire that is only near is made into a run after the claim: the runs due now start first,
      // and their start is what scheduling latency is made of.
      const now = clock.now();
      if (sharedStore && (config.notified !== true || now - readAllAt >= config.pollMs)) {
        fireDueAt = -Infinity;
        readAllAt = now;
      }
      const ahead = config.claimAheadMs;
      const near = fireDueAt - config.lookaheadMs <= now;
      // Every run made after the claim is due after what it claimed, so none is taken for a blocked
      // one: fireDueAt is never later than the earliest cursor (another node only moves one on;
      // a change to a job, heard or found by the poll, resets it).
      const afterClaim = near && fireDueAt > now + ahead;
      if (near && !afterClaim) await materialize();

      const claimedUpTo = afterClaim ? now : clock.now();
      const free = runner.free();
      let due: DueTimes;
      let leftToOthers = false;
      if (free > 0 && !stopped) {
        const result = await store.claimRuns(
          deps.nodeId,
          free,
          claimedUpTo,
          ahead,
          config.leaseMs,
          config.liveWithinMs,
        );
        publish(result.changed);
        for (const claim of result.claimed) runner.start(claim);
        due = result.next;
        leftToOthers = result.shared === true;
      } else if (free === 0 && !stopped && (afterClaim || !near)) {
        // No slot: due runs wait for one, and the runner pokes when one frees; the next fire is
        // still the one last read (no fire made this pass; one made after the claim is read
        // again below). Not asking the store saves a round trip per wake-up while slots are full.
        due = {
          fireAt: Number.isFinite(fireDueAt) ? fireDueAt : undefined,
          runAt: undefined,
          blocked: false,
        };
      } else {
        due = await store.nextDue(claimedUpTo);
      }
      if (afterClaim && !stopped) {
        await materialize();
        due = await store.nextDue(claimedUpTo);
      }

      // Fires are made into runs lookaheadMs early, so the run's own time needs only a claim.
      fireDueAt = due.fireAt ?? Infinity;
      const at = clock.now();
      const runAt = due.runAt ?? Infinity;
      // A run due by the claim and still there is blocked (slots full, a queued overlap): look
      // again later or when a run ends; runs left to other nodes, shortly, in case none takes them.
      // A later one is claimed `ahead` of its time, or at its time if this claim could have taken
      // it but left it (its job has a run going, or no slot was free).
      const blockedDelay = !due.blocked ? Infinity : leftToOthers ? REPASS_MS : config.blockedMs;
      const runDelay = Math.min(
        blockedDelay,
        runAt > claimedUpTo + ahead ? runAt - ahead - at : runAt - at,
      );
      // A fire that came into the look-ahead window while this pass ran (or that another node is
      // making into a run) is still most of a window away: a pass shortly is soon enough, and cannot
      // spin. It used to count as blocked, so such a fire waited blockedMs and started late.
      const fireOpensAt = fireDueAt - config.lookaheadMs;
      const fireDelay = fireOpensAt > at ? fireOpensAt - at : REPASS_MS;
      const delay = Math.min(runDelay, fireDelay);
      arm(delay === Infinity ? config.pollMs : delay);
    } catch (err) {
      logger.error({ err }, 'scheduler pass failed; trying again shortly');
      readAllAt = -Infinity; // the next pass reads everything
      arm(config.blockedMs);
    } finally {
      ticking = false;
      if (again && !stopped) {
        again = false;
        void tick();
      }
    }
  }

  function wake(jobsChanged = true): void {
    if (stopped) return;
    if (jobsChanged) fireDueAt = -Infinity;
    // A pass in progress would re-arm over this: have it run once more instead.
    if (ticking) again = true;
    else arm(0);
  }

  async function recover(): Promise<void> {
    // Their processes were killed already, from this node's run journal (process/run-journal.ts).
    const { lost, retries } = await store.loseRuns(
      { nodeId: deps.nodeId },
      'the agent stopped during the run',
      planRetry,
    );
    publish([...lost, ...retries]);
    if (lost.length === 0) return;
    logger.warn(
      { lost: lost.length, retried: retries.length },
      'runs of the previous agent marked lost',
    );
  }

  /**
   * Takes over runs whose lease ran out, but only leases that ran out while this node was itself
   * reaching the store: counted from the start of its unbroken run of successful passes, a lease
   * must have had a whole period to be renewed. So an outage every node saw does not end in a wave of
   * takeovers of runs whose owners are alive and renew as soon as they can.
   */
  async function reap(): Promise<void> {
    const sentAt = performance.now();
    // A failed pass, or a gap (this process was stopped or starved), starts the count again.
    if (sentAt - lastContact > 3 * config.reapMs) contactSince = sentAt;
    try {
      if (sentAt - contactSince < config.leaseMs) {
        await store.now();
      } else {
        const { lost, retries } = await store.loseRuns(
          { expired: true },
          'its node stopped renewing the lease',
          planRetry,
        );
        publish([...lost, ...retries]);
        if (retries.length > 0) wake(false);
      }
      lastContact = sentAt;
    } catch (err) {
      lastContact = -Infinity;
      throw err;
    }
  }

  /** Ends a pass of retention between two of its batches when the scheduler stops. */
  const stopping = new AbortController();
  /** The retention pass in flight, if any: one at a time, awaited by stop(). */
  let pruning: Promise<void> | undefined;

  function prune(): Promise<void> {
    pruning ??= (async () => {
      try {
        const pruned = await store.prune(config.prune, { signal: stopping.signal });
        if (pruned.runs > 0 || pruned.logBytes > 0) logger.info(pruned, 'pruned old runs and logs');
      } finally {
        pruning = undefined;
      }
    })();
    return pruning;
  }

  function every(ms: number, what: string, fn: () => Promise<void>): void {
    const t = setInterval(() => {
      fn().catch((err: unknown) => logger.warn({ err }, `${what} failed`));
    }, ms);
    t.unref();
    housekeeping.push(t);
  }

  return {
    async start() {
      await recover();
      // Not awaited: a pass works in batches beside the scheduler, so a long history never delays
      // the start (issue 25).
      prune().catch((err: unknown) => logger.warn({ err }, 'pruning failed'));
      every(config.reapMs, 'reaping expired leases', reap);
      every(config.pruneMs, 'pruning', prune);
      await tick();
    },
    poke: wake,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const t of housekeeping) clearInterval(t);
      stopping.abort();
      await Promise.all([pass, pruning?.catch(() => {})]);
    },
  };
}
