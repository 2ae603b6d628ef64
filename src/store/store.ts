// The Store port. Two implementations, store/sqlite and store/postgres, pass one contract suite
// (store/contract.test.ts). Only agent.ts picks an implementation; everything else sees this interface.
import type { Job, JobKind, JobPackage, JobSpec } from '../model/jobs.ts';
import type { NodeRecord, NodeRegistration } from '../model/nodes.ts';
import type { Run, RunState } from '../model/runs.ts';
import type { Schedule, ScheduleSpec } from '../model/schedules.ts';

/** What a backend can do, declared rather than branched on with `if (kind === 'sqlite')`. */
export interface StoreCapabilities {
  /** 'sqlite' or 'postgres', for logs and /api/v1/system only. */
  readonly kind: 'sqlite' | 'postgres';
  /** Several agents may share this store (a cluster). SQLite: false. */
  readonly sharedByNodes: boolean;
  /** Row claims can use FOR UPDATE SKIP LOCKED. */
  readonly skipLocked: boolean;
}

/** A schedule as the service hands it to the store: its cursor already computed. */
export interface NewSchedule {
  id: string;
  spec: ScheduleSpec;
  anchorAt: number;
  nextFireAt: number | undefined;
}

/** A job definition as the service hands it to the store. */
export interface NewJob {
  id: string;
  spec: Omit<JobSpec, 'schedules'>;
  schedules: NewSchedule[];
}

/** One fire a planner decided on: a run to start at runAt, or a skipped run with its reason. */
export interface PlannedFire {
  scheduledFor: number;
  runAt: number;
  skipped?: string;
}

/**
 * Decides, inside the transaction that owns a due schedule, which runs it makes and where its cursor
 * goes next. Pure and synchronous: it runs while rows are locked.
 */
export type FirePlanner = (
  schedule: Schedule,
  job: Job,
  now: number,
) => { fires: PlannedFire[]; nextFireAt: number | undefined };

/** When the next attempt of a run that ended badly should start, or undefined for none. */
export type RetryPlanner = (run: Run, job: Job, now: number) => number | undefined;

/**
 * One page of jobs (keyset: a page costs what it returns, however many jobs there are). In id order,
 * or in name order when `namePrefix` is given (the prefix is an index range).
 */
export interface JobsPage {
  limit: number;
  /** The last id of the previous page (with namePrefix too: the page goes on after that job's name). */
  after?: string;
  /** Only jobs whose name starts with this (case-sensitive). */
  namePrefix?: string;
  /** Only jobs of this kind. */
  kind?: JobKind;
}

/** The state of a job's latest run that is not queued, or '' before its first. */
export type LastRunState = RunState | '';

/** A page of the jobs of one kind whose latest run is in one of `states`. */
export interface LastRunQuery {
  kind: JobKind;
  states: readonly LastRunState[];
  limit: number;
  /**
   * 'id': by job id, `after` the last job id of the previous page; 'finished': by the latest run's
   * end, then id (jobs whose latest run has not ended are left out), `after` the previous page's
   * `cursor`.
   */
  order: 'id' | 'finished';
  after?: string;
}

/** A job with its latest run that is not queued, and the cursor of a LastRunQuery page after it. */
export interface JobWithLastRun {
  job: Job;
  lastRun: Run | undefined;
  cursor: string;
}

/** A run this node now owns, with the job as it was when claimed and the lease token every write carries. */

export interface ClaimedRun {
  run: Run;
  job: Job;
  leaseToken: string;
}

/** A run whose lease was renewed, and whether someone asked it to stop. */
export interface KeptLease {
  runId: string;
  stopSignal?: string;
  /** The grace the stop request named; absent: the job's graceSec. */
  stopGraceMs?: number;
}

export interface RunOutcome {
  state: 'succeeded' | 'failed' | 'timed_out' | 'canceled' | 'savepoint_done';
  exitCode?: number;
  signal?: string;
  error?: string;
  logBytes: number;
  logTruncated: boolean;
  metrics?: Record<string, unknown>;
  checkpoint?: unknown;
  /** The process's start, if markStarted did not record it (a run that ended soon after it). */
  started?: RunStart;
}

/** A run's process as it started: its group, and `performance.now()` when it did. */
export interface RunStart {
  pgid: number;
  at?: number;
}

export interface RunFilter {
  jobId?: string;
  state?: RunState;
  nodeId?: string;
  /** Newest first; only runs with an id below this one (the cursor of the previous page). */
  before?: string;
  limit: number;
}

/** A webhook delivery waiting in the outbox. */
export interface Notification {
  id: string;
  jobId: string;
  runId: string;
  event: string;
  url: string;
  payload: string;
  attempts: number;
}

export interface PrunePolicy {
  /** Finished runs kept per job when the job does not say. */
  keepRuns: number;
  /** Finished runs older than this are deleted, ms. */
  maxAgeMs: number;
  /** Stored log bytes of all runs together; the oldest finished runs' logs go first. */
  logBudgetBytes: number;
}

/** When something is next due, as seen at a time `at`. */
export interface DueTimes {
  /** The earliest schedule cursor. */
  fireAt: number | undefined;
  /** The earliest queued run due after `at`. */
  runAt: number | undefined;
  /** A queued run due by `at` is still waiting (no slot, or its job's overlap policy holds it). */
  blocked: boolean;
}

/** Jobs, schedules, runs and their logs: the part of the store the scheduler and runner stand on. */
export interface JobsStore {
  /** CONFLICT if the name is taken. */
  createJob(job: NewJob): Promise<Job>;
  /**
   * Replaces a definition (schedules included; ones kept by id keep their cursor if the service passes
   * it). NOT_FOUND, CONFLICT on a taken name or when expectedVersion is given and differs.
   */
  updateJob(job: NewJob, expectedVersion?: number): Promise<Job>;
  /** NOT_FOUND; CONFLICT while a run of the job is running. Its runs and logs go with it. */
  deleteJob(id: string): Promise<void>;
  /** By id, or by name. */
  getJob(idOrName: string): Promise<Job | undefined>;
  /** One page of jobs: up to `limit` of them after `after`, in id order (name order with a prefix). */
  listJobs(page: JobsPage): Promise<Job[]>;
  /** The names of the jobs with these ids, in one read; ids of deleted jobs are left out. */
  jobNames(ids: readonly string[]): Promise<Map<string, string>>;
  /** Grows with every job created, changed or deleted (Cloudtask's allocversion). */
  jobsGeneration(): Promise<number>;
  /**
   * The latest run that is not queued of each of these jobs that has one, by job id: one read by key
   * for a page of jobs (the store keeps each job's latest run as runs change).
   */
  latestRuns(jobIds: readonly string[]): Promise<Map<string, Run>>;
  /** How many jobs there are of each kind: kept as jobs come and go, not counted. */
  jobTotals(): Promise<Record<JobKind, number>>;
  /** The jobs of a kind counted by their latest run's state (through an index, not the jobs). */
  countJobsByLastRun(kind: JobKind): Promise<Map<LastRunState, number>>;
  /** A page of the jobs of a kind whose latest run is in one of the states, with that run. */
  listJobsByLastRun(query: LastRunQuery): Promise<JobWithLastRun[]>;

  nextDue(at: number): Promise<DueTimes>;
  /** Turns schedule fires due by upTo into runs, advancing each cursor in the same transaction. */
  materialize(upTo: number, limit: number, plan: FirePlanner): Promise<Run[]>;
  /**
   * A manual run of the job with this id or name, and the job. An idempotencyKey already used for
   * this job returns that run with created false. A pipeline run given a checkpoint starts from it
   * (a resume).
   */
  createRun(
    jobIdOrName: string,
    opts: { idempotencyKey?: string; runAt?: number; checkpoint?: unknown },
  ): Promise<{ run: Run; created: boolean; job: Job }>;
  /**
   * Claims up to `slots` queued runs due by upTo for this node, enforcing each job's overlap policy:
   * forbid skips a run while another is running, queue leaves it waiting, replace asks the running one
   * to stop. Runs due up to `aheadMs` later are claimed too, for the runner to start on time, but
   * only those that can start as they are: one whose job has a run going is left for its own time,
   * when the overlap policy decides. `changed` lists the runs this touched without claiming (skipped,
   * asked to stop); `next` is nextDue(upTo) after the claim, read in the same transaction. Given
   * `liveWithinMs`, it takes at most its share of the due runs among the nodes whose heartbeat is
   * that recent, so that a burst (the retries of a dead node's runs, many fires at once) spreads
   * over the live nodes; `shared` then says it left due runs to the others.
   */
  claimRuns(
    nodeId: string,
    slots: number,
    upTo: number,
    aheadMs: number,
    leaseMs: number,
    liveWithinMs?: number,
  ): Promise<{ claimed: ClaimedRun[]; changed: Run[]; next: DueTimes; shared?: boolean }>;
  /**
   * Records the process group and start time of a claimed run. False if the lease is no longer ours.
   * `startedAt` is `performance.now()` when the process started: the start time is the store's clock
   * at the transaction less the time since, however long the transaction waited for its turn.
   */
  markStarted(runId: string, token: string, pgid: number, startedAt?: number): Promise<boolean>;
  /** A running pipeline's latest metrics and/or checkpoint. False if the lease is no longer ours. */
  saveRunProgress(
    runId: string,
    token: string,
    progress: { metrics?: Record<string, unknown>; checkpoint?: unknown },
  ): Promise<boolean>;
  /**
   * Renews leases; returns the runs still ours, with the stop signal (and the grace, if the request
   * named one) when someone asked them to stop.
   */
  renewLeases(
    nodeId: string,
    leases: readonly { runId: string; token: string }[],
    leaseMs: number,
  ): Promise<KeptLease[]>;
  /**
   * Ends a run; the retry planner may queue the next attempt in the same transaction. Undefined if
   * fenced. Given the job as claimed, an end that it sends no webhook for and that is never retried
   * is written in one statement while the job is unchanged (the common end costs a round trip).
   */
  finishRun(
    runId: string,
    token: string,
    outcome: RunOutcome,
    retry: RetryPlanner,
    claimedJob?: Job,
  ): Promise<{ run: Run; retry?: Run } | undefined>;
  /** Marks runs lost (this node's running runs, or every run whose lease expired) and retries by policy. */
  loseRuns(
    which: { nodeId: string } | { expired: true },
    reason: string,
    retry: RetryPlanner,
  ): Promise<{ lost: Run[]; retries: Run[] }>;
  /**
   * Asks a run to stop: a queued run is canceled at once, a running one gets stopSignal, then SIGKILL
   * after graceMs (the job's graceSec when absent). NOT_FOUND.
   */
  requestStop(runId: string, signal: string, graceMs?: number): Promise<Run>;
  getRun(id: string): Promise<Run | undefined>;
  listRuns(filter: RunFilter): Promise<Run[]>;

  /** Appends log chunks (a resent seq is ignored). False if the lease is no longer ours. */
  appendLog(
    runId: string,
    token: string,
    chunks: readonly { seq: number; data: Uint8Array }[],
  ): Promise<boolean>;
  readLog(runId: string): Promise<Buffer>;
  /**
   * Deletes old runs and logs by policy, in bounded batches with the event loop free between them;
   * returns what went. An aborted signal ends the pass between two batches.
   */
  prune(
    policy: PrunePolicy,
    opts?: { signal?: AbortSignal },
  ): Promise<{ runs: number; logBytes: number }>;

  /**
   * Makes a package the job's, storing its bytes from pieces of any size a chunk per short
   * transaction. No pieces: only which package it is (the bytes kept elsewhere, see jobs-service).
   */
  putPackage(
    jobId: string,
    pkg: { sha256: string; size: number; pieces: AsyncIterable<Uint8Array> | Iterable<Uint8Array> },
  ): Promise<JobPackage>;
  /**
   * A job's package and its bytes, read a chunk at a time as `chunks` is iterated; a package
   * replaced meanwhile ends the iteration with CONFLICT.
   */
  getPackage(jobId: string): Promise<(JobPackage & { chunks: AsyncIterable<Buffer> }) | undefined>;

  /** Takes due deliveries for leaseMs so another node does not send them too. */
  takeNotifications(limit: number, leaseMs: number): Promise<Notification[]>;
  /** Delivered, or given up: removes it. */
  dropNotification(id: string): Promise<void>;
  /** Sends it again delayMs from now by the store's clock, which every node shares. */
  retryNotification(id: string, delayMs: number, error: string): Promise<void>;
}

/** What a change another node made concerns: jobs (their schedules), or runs (queued or ended). */
export type StoreChangeKind = 'jobs' | 'runs';

/** What other nodes changed, as Store.watch hears it. */
export interface StoreChange {
  /** Jobs or their schedules changed (or changes may have gone unheard): read the schedules again. */
  jobs: boolean;
  /** Runs were queued or ended: there may be one to claim, or one no longer in the way. */
  runs: boolean;
}

export interface StoreWatcher {
  onChange(change: StoreChange): void;
  /** The channel is up (after each connection), or down with the error that took it down. */
  onStatus?(status: { listening: boolean; error?: Error }): void;
}

export interface Store extends JobsStore {
  readonly capabilities: StoreCapabilities;
  /**
   * Calls the watcher when other nodes change jobs or runs, so that this node need not wait for its
   * poll. Only a store shared by nodes has it (PostgreSQL: LISTEN/NOTIFY on a connection of its
   * own, which reconnects by itself; each time it does, the watcher hears "everything changed",
   * since changes made meanwhile went unheard). The node's own changes are not reported. Returns
   * a function that stops watching.
   */
  watch?(watcher: StoreWatcher): () => void;
  /** Applies pending migrations; idempotent, safe to call from several nodes at once. */
  migrate(): Promise<void>;
  /** The schema version after migrate(). */
  schemaVersion(): Promise<number>;
  /** The database clock, ms since the epoch (in a cluster every node agrees on it). */
  now(): Promise<number>;

  /**
   * Inserts or refreshes this node's row: state 'up', startedAt = heartbeatAt = now, its slots as
   * given. A node that registers again without `labels` keeps its stored ones; given, they replace
   * them (--labels at start).
   */
  registerNode(node: NodeRegistration): Promise<NodeRecord>;
  /** Renews the heartbeat and optionally stores the latest sample. Throws NOT_FOUND for an unknown node. */
  heartbeat(nodeId: string, sample?: { json: string; at: number }): Promise<void>;
  /** Marks the node 'down' (clean shutdown). */
  deregisterNode(nodeId: string): Promise<void>;
  getNode(nodeId: string): Promise<NodeRecord | undefined>;
  /** All nodes, by id. */
  listNodes(): Promise<NodeRecord[]>;
  /**
   * Replaces the node's labels (SeaTunnel's node tags); they outlive the agent's restarts, since a
   * registration keeps them. Throws NOT_FOUND for an unknown node.
   */
  setNodeLabels(nodeId: string, labels: Record<string, string>): Promise<void>;

  /** Small key/value settings owned by the agent (e.g. the cookie signing secret). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /** Sets the value only if the key has none; returns the value that won (safe when nodes race). */
  setSettingIfAbsent(key: string, value: string): Promise<string>;

  close(): Promise<void>;
}
