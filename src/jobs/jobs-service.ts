// The jobs core every surface calls (native API, Cloudtask, SeaTunnel, CLI through the API, dashboard,
// console): define jobs, start and stop runs, read history and logs. Surfaces only translate shapes.
import { createReadStream } from 'node:fs';
import type { Clock } from '../clock.ts';
import { AgentError } from '../errors.ts';
import { SAVEPOINT_SIGNAL } from '../pipeline/seatunnel-status.ts';
import { newId } from '../ids.ts';
import { setImmediate } from 'node:timers/promises';
import type {
  JobsPage,
  LastRunQuery,
  LastRunState,
  NewJob,
  NewSchedule,
  Store,
} from '../store/store.ts';
import { untilRun, type JobsEvents, type OutputEvent } from './events.ts';
import { keepMaskedSecrets, toJobSpec } from './job-spec.ts';
import { JOB_LIMITS, type Job, type JobKind, type JobPackage } from '../model/jobs.ts';
import { FINAL_STATES, RUN_STATES, type Run, type RunState } from '../model/runs.ts';
import type { PackageStore } from './process/packages.ts';
import type { Runner } from './runner.ts';
import { jitterMs } from './schedule/jitter.ts';
import { nextFire, nextFires } from './schedule/next-fire.ts';

export interface JobsServiceDeps {
  store: Store;
  events: JobsEvents;
  runner: Runner;
  packages: PackageStore;
  clock: Clock;
  defaultTz: string;
  /** Something changed that the scheduler must look at. */
  poke: () => void;
}

/** A job with what the agent knows about it besides its definition. */
export interface JobState {
  job: Job;
  nextRunAt: number | undefined;
  lastRun: Run | undefined;
}

export interface RunPage {
  runs: Run[];
  nextCursor: string | undefined;
}

/** How a job's runs are stopped: the signal, then SIGKILL after the grace (the job's graceSec if absent). */
export interface StopOptions {
  signal?: NodeJS.Signals;
  graceMs?: number;
  /** Stops a pipeline run with a last checkpoint to resume from (SIGUSR1's meaning to the engine). */
  savepoint?: boolean;
}

export interface JobsService {
  createJob(body: Record<string, unknown>): Promise<JobState>;
  replaceJob(idOrName: string, body: Record<string, unknown>): Promise<JobState>;
  /**
   * Replaces the job of this name, or creates it: the body's name, if it has one, must be `name`.
   * `created` says which.
   */
  upsertJob(
    name: string,
    body: Record<string, unknown>,
  ): Promise<{ state: JobState; created: boolean }>;
  /** Changes the given top-level fields only. */
  patchJob(idOrName: string, patch: Record<string, unknown>): Promise<JobState>;
  deleteJob(idOrName: string): Promise<Job>;
  getJob(idOrName: string): Promise<JobState>;
  /** Job names by id, for listings of runs; deleted jobs are left out. */
  jobNames(ids: readonly string[]): Promise<Map<string, string>>;
  /**
   * One page of jobs with their next fire and last run, read for the page alone. Without a page,
   * every job, read a page at a time (its cost grows with the jobs: for callers that need them all).
   */
  listJobs(page?: JobsPage): Promise<JobState[]>;
  /**
   * Every job matching the filter, a page at a time, the event loop free between pages. `lastRuns:
   * false` leaves each job's last run out (lastRun undefined) for callers that show only the job.
   */
  eachJobPage(
    filter?: Pick<JobsPage, 'namePrefix' | 'kind'>,
    opts?: { pageSize?: number; lastRuns?: boolean },
  ): AsyncGenerator<JobState[]>;
  /** How many jobs there are of each kind (kept by the store, not counted). */
  jobTotals(): Promise<Record<JobKind, number>>;
  /** The jobs of a kind counted by their latest run's state ('' before the first). */
  countJobsByLastRun(kind: JobKind): Promise<Map<LastRunState, number>>;
  /** A page of the jobs of a kind whose latest run is in one of the states (LastRunQuery). */
  jobsByLastRun(query: LastRunQuery): Promise<Array<JobState & { cursor: string }>>;
  /** The next `count` fire times over all enabled schedules. */
  nextTimes(idOrName: string, count: number): Promise<number[]>;
  runNow(
    idOrName: string,
    opts?: { idempotencyKey?: string; resume?: boolean },
  ): Promise<{ run: Run; created: boolean; job: Job }>;
  /**
   * Stops a run: SIGTERM and the job's grace by default. `savepoint` stops a pipeline run with a last
   * checkpoint to resume from (SIGUSR1's meaning to the engine).
   */
  stopRun(runId: string, opts?: StopOptions): Promise<Run>;
  /**
   * Stops the job: every run of it not yet ended, running ones with the signal, queued ones canceled
   * at once. Answers the runs it stopped, none when nothing of the job was going.
   */
  stopJob(idOrName: string, opts?: StopOptions): Promise<Run[]>;
  getRun(runId: string): Promise<Run>;
  /**
   * The run once `until` holds for it (a state change this node makes or hears of), or undefined
   * after `timeoutMs`.
   */
  waitForRun(
    runId: string,
    until: (run: Run) => boolean,
    timeoutMs: number,
  ): Promise<Run | undefined>;
  listRuns(filter: {
    jobId?: string;
    state?: RunState;
    limit: number;
    cursor?: string;
  }): Promise<RunPage>;
  readLog(runId: string): Promise<Buffer>;
  /** The log so far, then live output until the run ends (or `signal` aborts). */
  followLog(runId: string, signal: AbortSignal): AsyncGenerator<Buffer>;
  /** Takes a .tar.gz package from its bytes as they arrive (at most JOB_LIMITS.packageBytes). */
  putPackage(idOrName: string, body: AsyncIterable<Uint8Array>): Promise<JobPackage>;
}

const FOLLOW_POLL_MS = 1000;
/** The least time a pipeline run stopped with a savepoint has to write it before it is killed. */
const SAVEPOINT_GRACE_MS = 60_000;
/** Jobs per read when every job is wanted: a read stays a few ms on either store. */
const LIST_PAGE = 100;
/** The states of a run still going, in the order a run goes through them: what stopJob stops. */
const ACTIVE_STATES = RUN_STATES.filter((s) => !FINAL_STATES.has(s));
/** The most runs of one job that stopJob lists in a state (a queue of fires can be long). */
const STOP_BATCH = 1000;
/** Output a slow follower may have pending before the middle is dropped (and marked). */
const FOLLOW_BUFFER_BYTES = 4 << 20;

export function createJobsService(deps: JobsServiceDeps): JobsService {
  const { store, events, clock } = deps;

  async function mustGetJob(idOrName: string): Promise<Job> {
    const job = await store.getJob(idOrName);
    if (job === undefined) {
      throw new AgentError(
        'NOT_FOUND',
        `job ${idOrName} does not exist; GET /api/v1/jobs lists them`,
      );
    }
    return job;
  }

  /** A pipeline's newest savepoint, or the last checkpoint of its newest failed run (SeaTunnel's resume). */
  async function resumePoint(job: Job): Promise<unknown> {
    if (job.kind !== 'pipeline') {
      throw new AgentError(
        'INVALID_INPUT',
        `job ${job.name} is not a pipeline; only pipelines resume`,
      );
    }
    const runs = await store.listRuns({ jobId: job.id, limit: 50 });
    const from = runs.find(
      (r) =>
        r.checkpoint !== undefined &&
        (r.state === 'savepoint_done' ||
          r.state === 'failed' ||
          r.state === 'lost' ||
          r.state === 'timed_out'),
    );
    if (from === undefined) {
      throw new AgentError(
        'INVALID_INPUT',
        `job ${job.name} has no savepoint to resume from: stop a run with a savepoint first`,
      );
    }
    return from.checkpoint;
  }

  async function mustGetRun(runId: string): Promise<Run> {
    const run = /^[0-9]{1,16}$/.test(runId) ? await store.getRun(runId) : undefined;
    if (run === undefined) {
      throw new AgentError('NOT_FOUND', `run ${runId} does not exist; GET /api/v1/runs lists them`);
    }
    return run;
  }

  function nextRunAt(job: Job): number | undefined {
    if (!job.enabled) return undefined;
    const times = job.schedules
      .filter((s) => s.spec.enabled && s.nextFireAt !== undefined)
      .map((s) => (s.nextFireAt as number) + jitterMs(job.id, job.jitterSec));
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** A page of jobs, then the latest runs of those jobs alone: two reads by key, whatever the history. */
  async function listPage(page: JobsPage, lastRuns = true): Promise<JobState[]> {
    const jobs = await store.listJobs(page);
    const latest = lastRuns
      ? await store.latestRuns(jobs.map((job) => job.id))
      : new Map<string, Run>();
    return jobs.map((job) => ({ job, nextRunAt: nextRunAt(job), lastRun: latest.get(job.id) }));
  }

  async function* eachJobPage(
    filter: Pick<JobsPage, 'namePrefix' | 'kind'> = {},
    { pageSize = LIST_PAGE, lastRuns = true }: { pageSize?: number; lastRuns?: boolean } = {},
  ): AsyncGenerator<JobState[]> {
    let after: string | undefined;
    for (;;) {
      const page = await listPage(
        { ...filter, limit: pageSize, ...(after ? { after } : {}) },
        lastRuns,
      );
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      after = page.at(-1)!.job.id;
      // Other work (a fire, /healthz, a renewal) gets its turn between two pages.
      await setImmediate();
    }
  }

  async function stateOf(job: Job): Promise<JobState> {
    const [last] = await store.listRuns({ jobId: job.id, limit: 1 });
    return { job, nextRunAt: nextRunAt(job), lastRun: last };
  }

  /**
   * The stored form of a definition. A schedule identical to one the job has keeps its id and cursor,
   * so an unrelated edit neither re-fires nor skips it; a new or changed one starts from now, as do
   * all of them when the job is switched back on after being off.
   */
  function toNewJob(id: string, body: Record<string, unknown>, previous?: Job): NewJob {
    const parsed = toJobSpec(body, deps.defaultTz);
    const spec = previous === undefined ? parsed : keepMaskedSecrets(parsed, previous);
    const now = clock.now();
    const restart = previous !== undefined && !previous.enabled && spec.enabled;
    const schedules = spec.schedules.map((s, i): NewSchedule => {
      const same = previous?.schedules.find((p) => JSON.stringify(p.spec) === JSON.stringify(s));
      if (same !== undefined && !restart) {
        return { id: same.id, spec: s, anchorAt: same.anchorAt, nextFireAt: same.nextFireAt };
      }
      const anchorAt = same?.anchorAt ?? now;
      const next = nextFire(s, now, { tz: deps.defaultTz, anchorMs: anchorAt });
      if (s.kind === 'at' && next === undefined && same === undefined) {
        throw new AgentError(
          'INVALID_INPUT',
          `schedules[${i}].at: ${s.at} is in the past; give a future time`,
        );
      }
      return { id: same?.id ?? newId(), spec: s, anchorAt, nextFireAt: next };
    });
    const { schedules: _ignored, ...rest } = spec;
    return { id, spec: rest, schedules };
  }

  function changed(action: 'created' | 'updated' | 'deleted', job: Job): void {
    events.publish({ type: 'job', action, job: { id: job.id, name: job.name } });
    deps.poke();
  }

  /** The user-facing fields of a job, to patch and write back. */
  function bodyOf(job: Job): Record<string, unknown> {
    const {
      id: _i,
      version: _v,
      createdAt: _c,
      updatedAt: _u,
      package: _p,
      schedules,
      ...rest
    } = job;
    return { ...rest, schedules: schedules.map((s) => s.spec) };
  }

  async function createJob(body: Record<string, unknown>): Promise<JobState> {
    const job = await store.createJob(toNewJob(newId(), body));
    changed('created', job);
    return stateOf(job);
  }

  async function replace(previous: Job, body: Record<string, unknown>): Promise<JobState> {
    const job = await store.updateJob(toNewJob(previous.id, body, previous), previous.version);
    changed('updated', job);
    return stateOf(job);
  }

  async function stopRun(runId: string, opts: StopOptions = {}): Promise<Run> {
    const target = await mustGetRun(runId);
    let graceMs = opts.graceMs;
    if (opts.savepoint === true) {
      const job = await mustGetJob(target.jobId);
      if (job.kind !== 'pipeline') {
        throw new AgentError(
          'INVALID_INPUT',
          `run ${runId} is not a pipeline run; only pipelines take a savepoint`,
        );
      }
      // The engine must finish writing the savepoint: killed after the ordinary grace on a busy
      // machine it would be lost (SeaTunnel waits for it).
      graceMs ??= Math.max(job.graceSec * 1000, SAVEPOINT_GRACE_MS);
    }
    const signal = opts.savepoint === true ? SAVEPOINT_SIGNAL : (opts.signal ?? 'SIGTERM');
    // The grace goes with the request: in a cluster the run may be another node's to stop.
    const run = await store.requestStop(runId, signal, graceMs);
    if (run.state === 'running') deps.runner.stop(runId, signal, graceMs);
    events.publish({ type: 'run', run });
    return run;
  }

  return {
    createJob,

    replaceJob: async (idOrName, body) => replace(await mustGetJob(idOrName), body),

    async upsertJob(name, body) {
      if (body.name !== undefined && body.name !== name) {
        throw new AgentError(
          'INVALID_INPUT',
          `the body names the job ${JSON.stringify(body.name)}, the path ${JSON.stringify(name)}: leave name out of the body or make them the same`,
        );
      }
      const full = { ...body, name };
      // By name only: a name that reads as another job's id does not replace that job.
      const found = await store.getJob(name);
      if (found?.name === name) return { state: await replace(found, full), created: false };
      try {
        return { state: await createJob(full), created: true };
      } catch (err) {
        // Created meanwhile by another request: this one replaces it, as if it had come second.
        const raced = await store.getJob(name);
        if (!(err instanceof AgentError && err.code === 'CONFLICT') || raced?.name !== name) {
          throw err;
        }
        return { state: await replace(raced, full), created: false };
      }
    },

    async patchJob(idOrName, patch) {
      const previous = await mustGetJob(idOrName);
      return replace(previous, { ...bodyOf(previous), ...patch });
    },

    async deleteJob(idOrName) {
      const job = await mustGetJob(idOrName);
      await store.deleteJob(job.id);
      await deps.packages.remove(job.id).catch(() => {});
      changed('deleted', job);
      return job;
    },

    getJob: async (idOrName) => stateOf(await mustGetJob(idOrName)),

    jobNames: (ids) => store.jobNames(ids),

    async listJobs(page) {
      if (page !== undefined) return listPage(page);
      const all: JobState[] = [];
      for await (const states of eachJobPage()) all.push(...states);
      return all;
    },

    eachJobPage,

    jobTotals: () => store.jobTotals(),

    countJobsByLastRun: (kind) => store.countJobsByLastRun(kind),

    async jobsByLastRun(query) {
      const found = await store.listJobsByLastRun(query);
      return found.map(({ job, lastRun, cursor }) => ({
        job,
        nextRunAt: nextRunAt(job),
        lastRun,
        cursor,
      }));
    },

    async nextTimes(idOrName, count) {
      const job = await mustGetJob(idOrName);
      const now = clock.now();
      const times = job.schedules
        .filter((s) => s.spec.enabled)
        .flatMap((s) =>
          nextFires(s.spec, now, count, { tz: deps.defaultTz, anchorMs: s.anchorAt }),
        );
      const jitter = jitterMs(job.id, job.jitterSec);
      return [...new Set(times)]
        .sort((a, b) => a - b)
        .slice(0, count)
        .map((t) => t + jitter);
    },

    async runNow(idOrName, opts = {}) {
      const { resume, ...createOpts } = opts;
      // Only a resume needs the job first; a plain run reads it in the run's own transaction.
      const checkpoint =
        resume === true ? await resumePoint(await mustGetJob(idOrName)) : undefined;
      const result = await store.createRun(idOrName, {
        ...createOpts,
        ...(checkpoint === undefined ? {} : { checkpoint }),
      });
      if (result.created) {
        events.publish({ type: 'run', run: result.run });
        deps.poke();
      }
      return result;
    },

    stopRun,

    async stopJob(idOrName, opts = {}) {
      const job = await mustGetJob(idOrName);
      if (opts.savepoint === true && job.kind !== 'pipeline') {
        throw new AgentError(
          'INVALID_INPUT',
          `job ${job.name} is not a pipeline; only pipelines take a savepoint`,
        );
      }
      // Queued before running: a run that starts between the two reads is then in the second.
      const going: Run[] = [];
      for (const state of ACTIVE_STATES) {
        going.push(...(await store.listRuns({ jobId: job.id, state, limit: STOP_BATCH })));
      }
      const stopped = new Map<string, Run>();
      for (const run of going) stopped.set(run.id, await stopRun(run.id, opts));
      return [...stopped.values()];
    },

    getRun: mustGetRun,

    waitForRun: (runId, until, timeoutMs) =>
      untilRun(events, runId, () => mustGetRun(runId), until, timeoutMs),

    async listRuns({ jobId, state, limit, cursor }) {
      let job: Job | undefined;
      if (jobId !== undefined) job = await mustGetJob(jobId);
      const runs = await store.listRuns({
        ...(job === undefined ? {} : { jobId: job.id }),
        ...(state === undefined ? {} : { state }),
        ...(cursor === undefined ? {} : { before: cursor }),
        limit: limit + 1,
      });
      const more = runs.length > limit;
      const page = runs.slice(0, limit);
      return { runs: page, nextCursor: more ? page.at(-1)?.id : undefined };
    },

    async readLog(runId) {
      await mustGetRun(runId);
      return store.readLog(runId);
    },

    async *followLog(runId, signal) {
      let run = await mustGetRun(runId);
      // Output is addressed by offset (the bytes the run printed before it): the stored head, the
      // runner's recent window and live pieces all speak it, so each byte is sent once, and a gap
      // (a reader too slow, a window already moved on) is sent as a marker saying how much.
      let sent = 0;
      let out: Buffer[] = [];
      const take = (offset: number, data: Buffer): void => {
        const end = offset + data.length;
        if (end <= sent) return;
        if (offset > sent) {
          out.push(Buffer.from(`\n[bosun: ${offset - sent} bytes not shown here]\n`));
        }
        out.push(data.subarray(Math.max(0, sent - offset)));
        sent = end;
      };
      const pending: OutputEvent[] = [];
      let pendingBytes = 0;
      let ended = FINAL_STATES.has(run.state);
      let wake: (() => void) | undefined;
      const notify = (): void => {
        wake?.();
        wake = undefined;
      };
      // Subscribed before the stored log is read, so nothing printed in between is missed.
      const offOutput = events.subscribeOutput(runId, (e) => {
        if (pendingBytes + e.data.length <= FOLLOW_BUFFER_BYTES) {
          pending.push(e);
          pendingBytes += e.data.length;
        }
        notify();
      });
      const offRun = events.subscribe((e) => {
        if (e.type === 'run' && e.run.id === runId && FINAL_STATES.has(e.run.state)) {
          ended = true;
          notify();
        }
      });
      signal.addEventListener('abort', notify);
      try {
        const stored = await store.readLog(runId);
        sent = stored.length;
        yield stored;
        while (!signal.aborted) {
          const recent = deps.runner.recentOutput(runId);
          if (recent !== undefined) take(recent.offset, recent.data);
          for (const e of pending.splice(0)) take(e.offset, e.data);
          pendingBytes = 0;
          if (out.length > 0) {
            const chunk = Buffer.concat(out);
            out = [];
            yield chunk;
            continue;
          }
          if (ended) break;
          if (recent === undefined) {
            // Not running here (another node, not started yet, or just ended): the store tells.
            run = await mustGetRun(runId);
            const log = await store.readLog(runId);
            if (log.length > sent) {
              yield log.subarray(sent);
              sent = log.length;
            }
            if (FINAL_STATES.has(run.state)) break;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(notify, FOLLOW_POLL_MS).unref();
          });
        }
      } finally {
        offOutput();
        offRun();
        signal.removeEventListener('abort', notify);
      }
    },

    async putPackage(idOrName, body) {
      const job = await mustGetJob(idOrName);
      const upload = await deps.packages.receive(job.id, body, JOB_LIMITS.packageBytes.max);
      const stored = await deps.packages.put(job.id, upload);
      // A store shared by nodes keeps a copy for the others, read back from the kept archive; an
      // embedded one records which package it is, the bytes being beside it in the data dir.
      const pieces = store.capabilities.sharedByNodes
        ? createReadStream(stored.archive, { highWaterMark: 1 << 20 })
        : [];
      const pkg = await store.putPackage(job.id, {
        sha256: stored.sha256,
        size: stored.size,
        pieces,
      });
      await deps.packages.prune(job.id, stored.sha256).catch(() => {});
      changed('updated', job);
      return pkg;
    },
  };
}
