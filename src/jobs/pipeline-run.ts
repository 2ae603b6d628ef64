// What the runner does differently for a pipeline job: the run's command is the engine process
// (src/pipeline/engine/engine-main.ts) over a run file in the job's work dir, its control channel
// carries metrics and checkpoints into the store (each checkpoint is answered once stored), and its
// result decides the run's state (a savepoint ends `savepoint_done`).
import { rm, writeFile } from 'node:fs/promises';
import { getCompileCacheDir } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckpointState } from '../pipeline/engine/executor.ts';
import type { EngineMessage, EngineRunSpec } from '../pipeline/engine/engine-main.ts';
import { pipelineJobId } from '../pipeline/seatunnel-status.ts';
import type { RunOutcome, Store } from '../store/store.ts';
import type { Job } from '../model/jobs.ts';
import type { Run } from '../model/runs.ts';
import type { ProcessExit } from './process/spawn-run.ts';

const ENGINE = fileURLToPath(new URL('../pipeline/engine/engine-main.ts', import.meta.url));

export interface PipelineRun {
  /** The shell command that starts the engine. */
  readonly cmd: string;
  /** What the engine's environment adds to the run's. */
  readonly env: Readonly<Record<string, string>>;
  onControl(message: unknown, reply: (message: unknown) => void): void;
  /** The run's state from the engine's result (or, without one, from how the process ended). */
  outcome(
    exit: ProcessExit,
    stopping: string | undefined,
    log: { bytes: number; truncated: boolean },
  ): RunOutcome;
  /** False when the engine failed before the pipeline ran (its config): no retry would help. */
  retriable(): boolean;
  /** Waits for progress still being stored, and removes the run file. */
  close(): Promise<void>;
}

export async function preparePipelineRun(deps: {
  store: Store;
  job: Job;
  run: Run;
  token: string;
  dir: string;
  onError(err: unknown): void;
}): Promise<PipelineRun> {
  const { store, job, run, token } = deps;
  if (job.pipeline === undefined) throw new Error(`job ${job.id} is a pipeline without a config`);
  const file = path.join(deps.dir, `.bosun-run-${run.id}.json`);
  const spec: EngineRunSpec = {
    jobId: pipelineJobId(job),
    runId: run.id,
    format: job.pipeline.format,
    config: job.pipeline.config,
    ...(run.checkpoint === undefined ? {} : { checkpoint: run.checkpoint as CheckpointState }),
  };
  await writeFile(file, JSON.stringify(spec), { mode: 0o600 });
  /** Where the agent caches compiled modules, if it does (main.ts switches it on). */
  const compileCache = getCompileCacheDir();

  let result: { status: string; error?: string; retriable?: boolean } | undefined;
  let metrics: Record<string, unknown> | undefined;
  // Progress is stored in order; a checkpoint is answered only once it is stored. One that could
  // not be (the store away, the lease lost) is not answered: the engine fails the run when its
  // checkpoint.timeout passes, before any sink commits rows the stored checkpoint does not know of.
  let storing: Promise<unknown> = Promise.resolve();
  const save = (progress: Parameters<Store['saveRunProgress']>[2]): Promise<boolean> => {
    const stored = storing.then(() => store.saveRunProgress(run.id, token, progress));
    storing = stored.catch(deps.onError);
    return stored.catch(() => false);
  };

  return {
    cmd: `exec ${quote(process.execPath)} ${quote(ENGINE)} ${quote(file)}`,
    // The agent's compile cache: without it every engine strips and compiles its modules anew,
    // about 0.2 s of each run's start (docs/performance.md, Pipelines).
    env: compileCache === undefined ? {} : { NODE_COMPILE_CACHE: compileCache },

    onControl(message, reply) {
      const m = message as EngineMessage;
      if (m.type === 'metrics') {
        metrics = m.metrics;
        void save({ metrics });
      } else if (m.type === 'checkpoint') {
        void save({ checkpoint: m.state }).then((stored) => {
          if (stored) reply({ type: 'ack', id: m.state.checkpointId });
        });
      } else if (m.type === 'result') {
        result = m;
      }
    },

    outcome(exit, stopping, log) {
      const base = {
        logBytes: log.bytes,
        logTruncated: log.truncated,
        ...(metrics === undefined ? {} : { metrics }),
      };
      switch (result?.status) {
        case 'FINISHED':
          return { state: 'succeeded', exitCode: 0, ...base };
        case 'SAVEPOINT_DONE':
          return { state: 'savepoint_done', ...base };
        case 'CANCELED':
          return { state: 'canceled', error: 'canceled', ...base };
        case 'FAILED':
          return { state: 'failed', error: result.error ?? 'the pipeline failed', ...base };
      }
      // No result: the engine was killed or crashed.
      const how =
        exit.error ??
        (exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? '?'}`);
      if (stopping === 'timeout') {
        return { state: 'timed_out', error: `timed out after ${job.timeoutSec}s`, ...base };
      }
      if (stopping === 'stop') return { state: 'canceled', error: `stopped (${how})`, ...base };
      return {
        state: 'failed',
        error: `the pipeline engine ended without a result (${how})`,
        ...base,
      };
    },

    retriable: () => result?.retriable !== false,

    async close() {
      await storing;
      await rm(file, { force: true });
    },
  };
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
