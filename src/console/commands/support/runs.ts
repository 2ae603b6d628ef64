// Shared by the commands over bosun jobs: a run as the console shows it, and the jobs service's
// NOT_FOUND / CONFLICT errors turned into console failures that say what to type.
import { isAgentError } from '../../../errors.ts';
import type { JobsService } from '../../../jobs/jobs-service.ts';
import type { Run } from '../../../model/runs.ts';
import type { ConsoleDeps } from '../../command.ts';
import type { RunInfo } from '../../items.ts';
import { CommandFailure, STATUS } from '../../model.ts';

export function toRunInfo(run: Run, job: string): RunInfo {
  return {
    id: run.id,
    job,
    state: run.state,
    trigger: run.trigger,
    attempt: run.attempt,
    createdAt: run.createdAt,
    ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }),
    ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    ...(run.exitCode === undefined ? {} : { exitCode: run.exitCode }),
    ...(run.signal === undefined ? {} : { signal: run.signal }),
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}

/** Job id → name for the jobs of these runs, in one read whatever the number of jobs. */
export function jobNames(jobs: JobsService, runs: readonly Run[]): Promise<Map<string, string>> {
  return jobs.jobNames([...new Set(runs.map((r) => r.jobId))]);
}

/** A run by id, or a failure that says how to find one. */
export async function findRun(jobs: JobsService, command: string, runId: string): Promise<Run> {
  try {
    return await jobs.getRun(runId);
  } catch (err) {
    throw translate(err, `${command}: no run '${runId}'; list runs with 'runs'`);
  }
}

/** The job's name for a run (its id when the job is gone). */
export async function jobNameOf(jobs: JobsService, run: Run): Promise<string> {
  try {
    return (await jobs.getJob(run.jobId)).job.name;
  } catch {
    return run.jobId;
  }
}

/** NOT_FOUND becomes `notFound`; other AgentErrors keep their message; anything else is rethrown. */
export function translate(err: unknown, notFound: string): unknown {
  if (!isAgentError(err)) return err;
  if (err.code === 'NOT_FOUND') return new CommandFailure(notFound, STATUS.FAILED);
  if (err.code === 'INVALID_INPUT') return new CommandFailure(err.message, STATUS.BAD_ARGS);
  return new CommandFailure(err.message, STATUS.FAILED);
}

/** Refuses a change on a read-only agent. */
export function mustBeWritable(deps: ConsoleDeps, command: string): void {
  if (deps.config.readOnly) {
    throw new CommandFailure(
      `${command}: the agent is read-only (--read-only); restart it without that flag to change jobs`,
      STATUS.FAILED,
    );
  }
}
