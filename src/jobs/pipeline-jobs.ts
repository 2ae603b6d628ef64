// Pipeline jobs as SeaTunnel's clients know them: a job submitted under an id the client chose (the
// job named `seatunnel-<id>`) or under its own bosun id, each submission or resume one run of it. The
// rules of submitting and resuming live here; the SeaTunnel surface only parses and renders.
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { AgentError, isAgentError } from '../errors.ts';
import { readPipelineConfig, type PipelineConfig } from '../pipeline/config/pipeline-config.ts';
import { catalog } from '../pipeline/connectors/catalog.ts';
import type { JobState, JobsService } from './jobs-service.ts';
import type { Job } from '../model/jobs.ts';
import { FINAL_STATES, RUN_STATES, type Run } from '../model/runs.ts';
import { NAME_PREFIX, seatunnelStatus } from '../pipeline/seatunnel-status.ts';
import type { LastRunState } from '../store/store.ts';

/** Pipeline jobs per read of a listing: each is rendered with its DAG, so a page stays a few ms. */
const PAGE = 50;
/** SeaTunnel's status of a job never run. */
const CREATED = 'CREATED';
const FINAL_STATUSES = new Set(['FINISHED', 'FAILED', 'CANCELED', 'SAVEPOINT_DONE', 'UNKNOWABLE']);
/** The run states SeaTunnel calls final (a stop signal changes only a running run's word). */
const FINAL_STATUS_STATES = RUN_STATES.filter((state) =>
  FINAL_STATUSES.has(seatunnelStatus(state, undefined)),
);
/** Not final: never run (''), and the other states a latest run can be in. */
const NOT_FINAL_STATES: LastRunState[] = [
  '',
  ...RUN_STATES.filter((state) => state !== 'queued' && !FINAL_STATUS_STATES.includes(state)),
];
/** How long a submission waits for its run to start, so a client sees it running right after. */
const START_WAIT_MS = 5000;

export interface PipelineJobsDeps {
  jobs: JobsService;
  /** How long submit waits for the run to start; default 5 s (SeaTunnel's clients expect RUNNING). */
  startWaitMs?: number;
}

/** A submission as a client sends it: the config document and what its query says. */
export interface PipelineSubmission {
  /**
   * Reads the config (JSON, HOCON or SQL) as an object; called once the query is checked, so that a
   * bad id is told before a bad body, as SeaTunnel does.
   */
  readDoc: () => Record<string, unknown>;
  /** The client's id for the job (digits); absent: the job is known by its bosun id. */
  jobId?: string | undefined;
  /** Overrides the config's `job.name`. */
  jobName?: string | undefined;
  /** Start from the job's savepoint, or the last checkpoint of its newest failed run. */
  resume: boolean;
}

/** A submission checked whole and ready to launch, touching nothing yet. */
export interface CheckedSubmission {
  jobId: string | undefined;
  jobName: string;
  resume: boolean;
  /** The stored config: the document with its name in `env."job.name"`. */
  config: string;
}

export interface SubmittedPipeline {
  job: Job;
  jobName: string;
  /** The run started, or the one already going when the job was submitted again while it ran. */
  run: Run | undefined;
}

export interface PipelineJobs {
  /** The pipeline job of a client's id (its `seatunnel-<id>` name, else its bosun id), if any. */
  find(id: string): Promise<JobState | undefined>;
  /**
   * The pipeline jobs not finished in SeaTunnel's words (CREATED before a first run, PENDING,
   * RUNNING…), by id, a page at a time: the store finds them by their latest run's state.
   */
  running(): AsyncGenerator<JobState[]>;
  /**
   * The pipeline jobs whose latest run ended in one of SeaTunnel's final statuses (or in `status`
   * alone), oldest end first, a page at a time.
   */
  finished(status?: string): AsyncGenerator<JobState[]>;
  /** Every pipeline job that has run, a page at a time. */
  withRuns(): AsyncGenerator<JobState[]>;
  /** How many pipeline jobs are in each SeaTunnel status (CREATED for those never run). */
  countByStatus(): Promise<Map<string, number>>;
  /**
   * Checks a submission: its id, and its config against the connectors. A list of submissions is
   * checked whole before any starts.
   */
  check(submission: PipelineSubmission): CheckedSubmission;
  /**
   * Submits or resumes: a new id creates the job; a known id is resumed (with `resume`), left as it
   * is while it runs (a silent success), and refused otherwise, since an id is submitted once.
   * Waits a moment for the run to start.
   */
  submit(checked: CheckedSubmission): Promise<SubmittedPipeline>;
}

export function createPipelineJobs({
  jobs,
  startWaitMs = START_WAIT_MS,
}: PipelineJobsDeps): PipelineJobs {
  const find = async (id: string): Promise<JobState | undefined> => {
    for (const key of [`${NAME_PREFIX}${id}`, id]) {
      try {
        const state = await jobs.getJob(key);
        if (state.job.kind === 'pipeline') return state;
      } catch (err) {
        if (!(isAgentError(err) && err.code === 'NOT_FOUND')) throw err;
      }
    }
    return undefined;
  };

  async function* byLastRun(
    states: readonly LastRunState[],
    order: 'id' | 'finished',
  ): AsyncGenerator<JobState[]> {
    let after: string | undefined;
    for (;;) {
      const page = await jobs.jobsByLastRun({
        kind: 'pipeline',
        states,
        order,
        limit: PAGE,
        ...(after === undefined ? {} : { after }),
      });
      if (page.length > 0) yield page;
      if (page.length < PAGE) return;
      after = page.at(-1)!.cursor;
      await setImmediate(); // the event loop is free between two pages
    }
  }

  const started = (runId: string) =>
    jobs.waitForRun(runId, (run) => run.state !== 'queued', startWaitMs);

  return {
    find,

    running: () => byLastRun(NOT_FINAL_STATES, 'id'),

    finished: (status) =>
      byLastRun(
        status === undefined
          ? FINAL_STATUS_STATES
          : FINAL_STATUS_STATES.filter((state) => seatunnelStatus(state, undefined) === status),
        'finished',
      ),

    withRuns: () => byLastRun(RUN_STATES, 'id'),

    async countByStatus() {
      const counts = new Map<string, number>();
      for (const [state, n] of await jobs.countJobsByLastRun('pipeline')) {
        const status = state === '' ? CREATED : seatunnelStatus(state, undefined);
        counts.set(status, (counts.get(status) ?? 0) + n);
      }
      return counts;
    },

    check({ readDoc, jobId, jobName, resume }) {
      if (resume && !jobId) invalid('Please provide jobId when start with save point.');
      if (jobId !== undefined && !/^\d+$/.test(jobId)) {
        invalid(`jobId must be a number, not "${jobId}"`);
      }
      const doc = readDoc();
      // Checked even when the name is given: a list of submissions is checked whole.
      const config = checkedConfig(doc);
      const name = jobName ?? config.env.name;
      // The name shows in every answer; it travels in the stored config.
      const stored = { ...doc, env: { ...(doc.env as object | undefined), 'job.name': name } };
      return { jobId, jobName: name, resume, config: JSON.stringify(stored) };
    },

    async submit({ jobId, jobName, resume, config }) {
      const pipeline = { format: 'json', config };
      const existing = jobId === undefined ? undefined : await find(jobId);
      let job: Job;
      if (existing !== undefined) {
        const going = existing.lastRun !== undefined && !FINAL_STATES.has(existing.lastRun.state);
        // Submitting a running id again is a silent success (SeaTunnel 2.3.6+).
        if (going) return { job: existing.job, jobName, run: existing.lastRun };
        if (!resume) {
          invalid(
            `The job id ${jobId} has already been submitted and is not starting with a savepoint.`,
          );
        }
        job = (await jobs.patchJob(existing.job.id, { pipeline })).job;
      } else {
        if (resume) {
          invalid(`no job ${jobId} to resume: submit it first, then stop it with a savepoint`);
        }
        // Without a client id, the job's id is its bosun id (a number below 2^53): its name then
        // must not read as `seatunnel-<id>`.
        const name = `${NAME_PREFIX}${jobId ?? `job-${randomUUID().slice(0, 8)}`}`;
        job = (await jobs.createJob({ name, kind: 'pipeline', pipeline, overlap: 'forbid' })).job;
      }
      const { run } = await jobs.runNow(job.id, resume ? { resume } : {});
      return { job, jobName, run: (await started(run.id)) ?? run };
    },
  };
}

function checkedConfig(doc: Record<string, unknown>): PipelineConfig {
  try {
    return readPipelineConfig(doc, catalog);
  } catch (err) {
    return invalid((err as Error).message);
  }
}

function invalid(message: string): never {
  throw new AgentError('INVALID_INPUT', message);
}
