// The runner: executes the runs this node claimed. Each run is a process group (process/spawn-run.ts)
// whose output goes to the store in capped chunks and live to followers; its lease is renewed while it
// runs, and a run whose lease is gone (fenced) is killed, so two nodes never run it at once.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { ClaimedRun, KeptLease, RunOutcome, RunStart, Store } from '../store/store.ts';
import type { JobsEvents } from './events.ts';
import type { LeaseTiming } from './lease-timing.ts';
import type { Job } from '../model/jobs.ts';
import type { Run } from '../model/runs.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAgentError } from '../errors.ts';
import { setLongTimeout } from '../long-timeout.ts';
import { createLogCapture, type LogChunk } from './process/log-capture.ts';
import type { PackageStore } from './process/packages.ts';
import type { RunJournal } from './process/run-journal.ts';
import { SAVEPOINT_SIGNAL } from '../pipeline/seatunnel-status.ts';
import { preparePipelineRun, type PipelineRun } from './pipeline-run.ts';
import {
  directSpawner,
  spawnRun,
  type ProcessExit,
  type RunningProcess,
  type Spawner,
} from './process/spawn-run.ts';
import { noRetry, planRetry } from './retry.ts';

export interface RunnerConfig {
  slots: number;
  logCapBytes: number;
  lease: LeaseTiming;
}

export interface RunnerDeps {
  store: Store;
  events: JobsEvents;
  packages: PackageStore;
  logger: Logger;
  clock: Clock;
  nodeId: string;
  /** Where jobs without a package run: <workRoot>/<jobId>. */
  workRoot: string;
  /** The environment every run starts from (the agent's own). */
  baseEnv: Readonly<Record<string, string>>;
  config: RunnerConfig;
  /** Called when a run's process has ended, so the scheduler can fill its slot at once. */
  onSlotFree: () => void;
  /** Called when a run's end is recorded (or could not be). */
  onRunEnded: () => void;
  /** What starts a run's shell. @default directSpawner (a fork of this process) */
  spawner?: Spawner;
  /** Where the groups of runs are recorded, for the next life of the agent to kill. */
  journal?: RunJournal;
  /** @default START_WRITE_DELAY_MS */
  startWriteDelayMs?: number;
}

export interface Runner {
  /** Slots not taken by a run's process. */
  free(): number;
  /** Starts a claimed run; returns at once. */
  start(claim: ClaimedRun): void;
  /** Runs are due soon: get ready to start them. */
  prepare(): void;
  /** Stops a run of this node now; false if it does not run here. */
  stop(runId: string, signal: NodeJS.Signals, graceMs?: number): boolean;
  /** The last output of a run of this node, for a follower who joins late. */
  recentOutput(runId: string): { offset: number; data: Buffer } | undefined;
  /** Stops every run and waits for them (agent shutdown). */
  shutdown(graceMs: number): Promise<void>;
}

/** Output kept in memory per run for followers who join late. */
const RECENT_BYTES = 64 * 1024;
const CHUNK_BYTES = 64 * 1024;
const FLUSH_MS = 1000;
/** The tail kept when a run prints more than the cap: everything before it streams to the store. */
const MAX_TAIL_BYTES = 1 << 20;
/**
 * How long after its start a run's process group and exec time are written, unless its end comes
 * first and carries them: most runs of a busy agent are short, and on PostgreSQL each write is a
 * round trip that wakes the agent (docs/performance.md). Until then the store has the run running
 * since its claim; nothing reads the group from the store to kill it (the journal has it).
 */
const START_WRITE_DELAY_MS = 1000;

interface Active {
  claim: ClaimedRun;
  proc?: RunningProcess;
  /** Why the run is being stopped, once it is. */
  stopping?: 'stop' | 'timeout' | 'fenced' | 'shutdown';
  stopSignal?: NodeJS.Signals;
  stopGraceMs?: number;
  /** Killed (fenced) at some point: whatever stop came first, it is never started. */
  killed?: boolean;
  /** Spawned with a control channel (a pipeline run), whose engine holds the fence itself. */
  controlled?: boolean;
  recent: Buffer[];
  recentOffset: number;
  recentBytes: number;
  done: Promise<void>;
  /** Until its process ends: the run's end is then written while another run takes the slot. */
  holdsSlot: boolean;
}

export function createRunner(deps: RunnerDeps): Runner {
  const { store, events, logger, config } = deps;
  const { lease } = config;
  const spawner = deps.spawner ?? directSpawner;
  const active = new Map<string, Active>();
  /** Runs whose process has not ended yet: what the slots limit. */
  let occupied = 0;
  // Monotonic: a wall-clock jump must not fence (or keep alive) anything.
  let lastRenewal = performance.now();
  let fenceTimer: NodeJS.Timeout | undefined;
  let renewing = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let renewalsFailing = false;
  /** Set once shutdown() begins. */
  let shuttingDown: { graceMs: number } | undefined;
  /** Renews the leases while this node has runs: an idle agent is not woken for it. */
  let renewTimer: NodeJS.Timeout | undefined;

  function publish(run: Run): void {
    events.publish({ type: 'run', run });
  }

  /**
   * Armed from the moment the last successful renewal was sent (the store counted the lease from no
   * earlier): when no renewal has succeeded in time, this node stops its runs itself, before another
   * node could take them over (lease-timing.ts). A timer rather than a check at each renewal: a
   * renewal hung on a cut-off connection, or the renewal period, cannot delay it. The spawn helper
   * holds a later deadline of its own, which holds even while this process is stopped.
   */
  function armFence(sentAt: number): void {
    if (sentAt < lastRenewal) return; // an older renewal that answered late
    lastRenewal = sentAt;
    clearTimeout(fenceTimer);
    fenceTimer = setTimeout(fence, Math.max(0, sentAt + lease.fenceAfterMs - performance.now()));
    fenceTimer.unref();
    spawner.fence(sentAt + lease.helperKillAfterMs);
    for (const a of active.values()) if (a.controlled) sendFence(a);
  }

  /** A pipeline run is spawned by the agent itself: its engine holds the fence (engine-main.ts). */
  function sendFence(a: Active): void {
    const ms = Math.max(0, Math.ceil(lastRenewal + lease.helperKillAfterMs - performance.now()));
    a.proc?.send({ type: 'fence', ms });
  }

  function fence(): void {
    if (active.size === 0) return;
    const silentMs = Math.round(performance.now() - lastRenewal);
    logger.warn(
      { silentMs },
      'no lease renewal reached the store in time; stopping every run here',
    );
    for (const a of active.values()) halt(a, 'fenced', 'SIGTERM', lease.fenceGraceMs);
  }

  async function renew(): Promise<void> {
    if (active.size === 0) return; // the next run arms the fence as it starts
    // A renewal hung on a cut connection until its query timeout must not hold back the next one,
    // which may go out on a new connection; two at a time are enough for that.
    if (renewing >= 2) return;
    renewing++;
    try {
      await renewOnce();
    } finally {
      renewing--;
    }
  }

  async function renewOnce(): Promise<void> {
    // Only the runs asked about are judged: one claimed meanwhile is not in the answer, yet ours.
    const asked = [...active.values()];
    const leases = asked.map((a) => ({ runId: a.claim.run.id, token: a.claim.leaseToken }));
    let kept: KeptLease[];
    const sentAt = performance.now();
    try {
      kept = await store.renewLeases(deps.nodeId, leases, lease.leaseMs);
      if (renewalsFailing) logger.info('run leases renewed again');
      renewalsFailing = false;
      armFence(sentAt);
    } catch (err) {
      // The lease outlives a few failed renewals; the fence stops the runs before it runs out.
      // Tried again soon rather than at the next period: the sooner one succeeds once the store is
      // back, the longer an outage the runs ride out (lease-timing.ts). Said once per outage.
      if (!renewalsFailing) {
        const silentMs = Math.round(performance.now() - lastRenewal);
        logger.warn(
          { err, silentMs },
          `could not renew run leases; retrying every ${lease.renewRetryMs} ms`,
        );
      }
      renewalsFailing = true;
      retryTimer ??= setTimeout(() => {
        retryTimer = undefined;
        void renew();
      }, lease.renewRetryMs);
      retryTimer.unref();
      return;
    }
    const keptIds = new Map(kept.map((k) => [k.runId, k]));
    for (const a of asked) {
      const runId = a.claim.run.id;
      if (!active.has(runId)) continue; // ended meanwhile
      if (!keptIds.has(runId)) {
        logger.warn({ runId }, 'run lease lost to another owner; killing the run here');
        halt(a, 'fenced', 'SIGKILL', 0);
        continue;
      }
      const { stopSignal, stopGraceMs } = keptIds.get(runId) as KeptLease;
      if (stopSignal !== undefined) {
        halt(a, 'stop', stopSignal as NodeJS.Signals, stopGraceMs ?? a.claim.job.graceSec * 1000);
      }
    }
  }

  function halt(
    a: Active,
    why: NonNullable<Active['stopping']>,
    signal: NodeJS.Signals,
    graceMs: number,
  ): void {
    if (signal === 'SIGKILL') a.killed = true;
    if (a.stopping === undefined || signal === 'SIGKILL') {
      a.stopping ??= why;
      a.stopSignal ??= signal;
      a.stopGraceMs ??= graceMs;
      void a.proc?.stop(signal, graceMs);
    }
  }

  /** Where a run of the job starts: its package (fetched from the store if this node lacks it) or its work dir. */
  async function workDir(job: Job): Promise<string> {
    let dir: string;
    if (job.package === undefined) {
      dir = path.join(deps.workRoot, job.id);
      mkdirSync(dir, { recursive: true });
    } else {
      dir = deps.packages.workDir(job.id, job.package.sha256);
      await ensurePackage(job.id, job.package.sha256, dir);
    }
    return job.cwd === '' ? dir : path.resolve(dir, job.cwd);
  }

  async function ensurePackage(jobId: string, sha: string, dir: string): Promise<void> {
    if (existsSync(dir)) return;
    if (!store.capabilities.sharedByNodes) {
      // The embedded store records only which package it is: the archive kept here is the copy.
      const archive = deps.packages.archivePath(jobId, sha);
      if (!existsSync(archive)) {
        throw new Error(`the package of job ${jobId} is missing from ${dir}; upload it again`);
      }
      await deps.packages.put(jobId, { file: archive, sha256: sha, size: statSync(archive).size });
      return;
    }
    // Another node received the upload: the store holds the bytes.
    const pkg = await store.getPackage(jobId);
    if (pkg === undefined || pkg.sha256 !== sha) {
      throw new Error(
        `the package ${sha.slice(0, 12)} of job ${jobId} is no longer in the store; upload it again`,
      );
    }
    const upload = await deps.packages.receive(jobId, pkg.chunks, pkg.size);
    if (upload.sha256 !== sha) {
      throw new Error(`the package of job ${jobId} in the store does not match its sha256 ${sha}`);
    }
    await deps.packages.put(jobId, upload);
  }

  async function execute(a: Active): Promise<void> {
    const { run, job, leaseToken: token } = a.claim;
    const chunks: LogChunk[] = [];
    let writing: Promise<unknown> = Promise.resolve();
    const flush = (): void => {
      if (chunks.length === 0) return;
      const batch = chunks.splice(0);
      writing = writing.then(async () => {
        try {
          const owned = await persist(a, () => store.appendLog(run.id, token, batch));
          if (owned === false) halt(a, 'fenced', 'SIGKILL', 0);
        } catch (err) {
          logger.warn({ err, runId: run.id }, 'could not store run output');
        }
      });
    };
    const capture = createLogCapture({
      capBytes: config.logCapBytes,
      headBytes: config.logCapBytes - Math.min(MAX_TAIL_BYTES, Math.floor(config.logCapBytes / 2)),
      chunkBytes: CHUNK_BYTES,
      flushMs: FLUSH_MS,
      onChunk: (chunk) => {
        chunks.push(chunk);
        queueMicrotask(flush);
      },
    });

    let exit: ProcessExit;
    let pipeline: PipelineRun | undefined;
    /** The start, while it is not written: the end carries it if it comes first. */
    let unwrittenStart: RunStart | undefined;
    let startWrite: NodeJS.Timeout | undefined;
    try {
      const cwd = await workDir(job);
      if (job.kind === 'pipeline') {
        pipeline = await preparePipelineRun({
          store,
          job,
          run,
          token,
          dir: cwd,
          onError: (err) =>
            logger.warn({ err, runId: run.id }, 'could not store pipeline progress'),
        });
      }
      const env: Record<string, string> = {
        ...deps.baseEnv,
        ...job.env,
        BOSUN_RUN_ID: run.id,
        BOSUN_JOB_ID: job.id,
        BOSUN_JOB_NAME: job.name,
        BOSUN_ATTEMPT: String(run.attempt),
        BOSUN_SCHEDULED_FOR: new Date(run.scheduledFor).toISOString(),
        ...pipeline?.env,
      };
      // Claimed ahead of its time (the scheduler's claimAheadMs): it starts on time, not early.
      const early = run.runAt - deps.clock.now();
      if (early > 0) await sleep(early);
      // A savepoint asked for before the engine started is still written (of the state the run
      // would start from): the engine is started and takes the stop at once. Any other stop, a
      // fence or the agent's shutdown ends it here.
      const savepointFirst =
        pipeline !== undefined &&
        a.stopping === 'stop' &&
        a.stopSignal === SAVEPOINT_SIGNAL &&
        a.killed !== true &&
        shuttingDown === undefined;
      if (a.stopping !== undefined && !savepointFirst) throw new Error('stopped before it started');
      const p = pipeline;
      a.proc = spawnRun(
        {
          cmd: p?.cmd ?? job.cmd,
          cwd,
          env,
          onOutput: (data) => {
            const offset = capture.bytes;
            capture.write(data);
            remember(a, data);
            events.output({ runId: run.id, offset, data });
          },
          ...(p === undefined
            ? {}
            : {
                onControl: (message: unknown) =>
                  p.onControl(message, (reply) => a.proc?.send(reply)),
              }),
        },
        spawner.launch,
      );
      if (p !== undefined) {
        a.controlled = true;
        sendFence(a);
      }
      if (a.stopping === 'stop') {
        void a.proc.stop(SAVEPOINT_SIGNAL, a.stopGraceMs ?? job.graceSec * 1000);
      }
      void a.proc.started
        .then(({ pid, at }) => {
          if (pid === 0) return;
          deps.journal?.started(run.id, pid);
          unwrittenStart = { pgid: pid, at };
          startWrite = setTimeout(() => {
            // Until it is written, an end that comes meanwhile carries it too (the same values).
            store
              .markStarted(run.id, token, pid, at)
              .then((written) => {
                if (written) unwrittenStart = undefined;
              })
              .catch(() => {});
          }, deps.startWriteDelayMs ?? START_WRITE_DELAY_MS);
        })
        .catch(() => {});
      // Up to 31 days, past Node's longest timer.
      const timer =
        job.timeoutSec > 0
          ? setLongTimeout(
              () => halt(a, 'timeout', 'SIGTERM', job.graceSec * 1000),
              job.timeoutSec * 1000,
            )
          : undefined;
      exit = await a.proc.exited;
      timer?.clear();
    } catch (err) {
      exit = { exitCode: null, signal: null, error: (err as Error).message };
    }
    clearTimeout(startWrite);
    freeSlot(a);
    deps.journal?.ended(run.id);
    const totals = capture.end();
    flush();
    await writing;
    await pipeline?.close();

    const log = { bytes: totals.bytes, truncated: totals.truncated };
    const outcome: RunOutcome = {
      ...(pipeline ? pipeline.outcome(exit, a.stopping, log) : outcomeOf(exit, a, job, log)),
      ...(unwrittenStart === undefined ? {} : { started: unwrittenStart }),
    };
    if (a.stopping === 'fenced') return;
    try {
      const retry = pipeline?.retriable() === false ? noRetry : planRetry;
      // undefined: the lease was lost, or the store stayed away until the run was fenced.
      const result = await persist(a, () => store.finishRun(run.id, token, outcome, retry, job));
      if (result === undefined) {
        logger.warn(
          { runId: run.id },
          'run finished after its lease was lost; its result was not recorded',
        );
        return;
      }
      publish(result.run);
      if (result.retry !== undefined) publish(result.retry);
    } catch (err) {
      // The lease expires and the reaper marks the run lost; nothing else can be done from here.
      logger.error({ err, runId: run.id }, 'could not record the end of a run');
    }
  }

  /**
   * A write about a run, tried again while the store is unavailable, until it lands or the run is
   * fenced (undefined then): output and results are not lost to an outage the leases ride out, and
   * a run that ended during one is not taken for lost and run again. The writes are idempotent
   * (log chunks by sequence, the end under the lease token). Other errors are thrown.
   */
  async function persist<T>(a: Active, write: () => Promise<T>): Promise<T | undefined> {
    for (let failures = 0; ; failures++) {
      try {
        return await write();
      } catch (err) {
        if (!isAgentError(err) || err.code !== 'STORE_UNAVAILABLE') throw err;
        if (failures === 0) {
          logger.warn({ err, runId: a.claim.run.id }, 'the store is unavailable; retrying');
        }
      }
      if (a.stopping === 'fenced') return undefined;
      await sleep(lease.renewRetryMs);
    }
  }

  function freeSlot(a: Active): void {
    if (!a.holdsSlot) return;
    a.holdsSlot = false;
    occupied--;
    deps.onSlotFree();
  }

  function remember(a: Active, data: Buffer): void {
    a.recent.push(data);
    a.recentBytes += data.length;
    while (a.recentBytes - (a.recent[0]?.length ?? 0) >= RECENT_BYTES && a.recent.length > 1) {
      const dropped = a.recent.shift() as Buffer;
      a.recentBytes -= dropped.length;
      a.recentOffset += dropped.length;
    }
  }

  return {
    free: () => config.slots - occupied,

    prepare: () => spawner.prepare(),

    start(claim) {
      // Its lease was just granted: the fence counts from now, if it counted for no other run, or
      // fired already (those runs are being stopped; this one must not go unfenced).
      if (active.size === 0 || performance.now() >= lastRenewal + lease.fenceAfterMs) {
        armFence(performance.now());
      }
      const a: Active = {
        claim,
        recent: [],
        recentOffset: 0,
        recentBytes: 0,
        done: Promise.resolve(),
        holdsSlot: true,
      };
      active.set(claim.run.id, a);
      occupied++;
      if (renewTimer === undefined) {
        renewTimer = setInterval(() => void renew(), lease.renewMs);
        renewTimer.unref();
      }
      if (shuttingDown !== undefined) halt(a, 'shutdown', 'SIGTERM', shuttingDown.graceMs);
      publish(claim.run);
      a.done = execute(a)
        .catch((err: unknown) =>
          logger.error({ err, runId: claim.run.id }, 'run failed inside the runner'),
        )
        .finally(() => {
          freeSlot(a);
          active.delete(claim.run.id);
          if (active.size === 0) {
            clearInterval(renewTimer);
            renewTimer = undefined;
          }
          deps.onRunEnded();
        });
    },

    stop(runId, signal, graceMs) {
      const a = active.get(runId);
      if (a === undefined) return false;
      halt(a, 'stop', signal, graceMs ?? a.claim.job.graceSec * 1000);
      return true;
    },

    recentOutput(runId) {
      const a = active.get(runId);
      return a && { offset: a.recentOffset, data: Buffer.concat(a.recent) };
    },

    async shutdown(graceMs) {
      shuttingDown = { graceMs };
      // A claim in flight when the scheduler stopped can still start a run: it is stopped at once
      // in start(), and waited for here like the rest, so no run is left unrecorded. The leases are
      // renewed until the last run ends: a grace longer than the lease must not hand them over.
      while (active.size > 0) {
        for (const a of active.values()) halt(a, 'shutdown', 'SIGTERM', graceMs);
        await Promise.all([...active.values()].map((a) => a.done));
      }
      clearInterval(renewTimer);
      clearTimeout(retryTimer);
      clearTimeout(fenceTimer);
    },
  };
}

function outcomeOf(
  exit: ProcessExit,
  a: Active,
  job: Job,
  log: { bytes: number; truncated: boolean },
): RunOutcome {
  const base = { logBytes: log.bytes, logTruncated: log.truncated };
  const how = {
    ...(exit.exitCode === null ? {} : { exitCode: exit.exitCode }),
    ...(exit.signal === null ? {} : { signal: exit.signal }),
  };
  if (exit.error !== undefined) {
    return { state: a.stopping === undefined ? 'failed' : 'canceled', error: exit.error, ...base };
  }
  switch (a.stopping) {
    case 'timeout':
      return { state: 'timed_out', error: `timed out after ${job.timeoutSec}s`, ...how, ...base };
    case 'stop':
      return {
        state: 'canceled',
        error: `stopped with ${a.stopSignal ?? 'SIGTERM'}`,
        ...how,
        ...base,
      };
    case 'shutdown':
      return { state: 'failed', error: 'the agent shut down during the run', ...how, ...base };
    default:
      if (exit.exitCode === 0) return { state: 'succeeded', ...how, ...base };
      return {
        state: 'failed',
        error:
          exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? '?'}`,
        ...how,
        ...base,
      };
  }
}
