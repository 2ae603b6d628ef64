// The pipeline engine process: `node engine-main.ts <run.json>`, started by the agent's runner for each
// pipeline run, so a run is isolated and killable like any job. The Console sink's rows and notices
// go to stdout (the run's log); metrics, checkpoints and the result go to the agent as JSON lines on
// fd 3, and the agent's messages come on fd 4 (spawn-run.ts says why two): it answers each checkpoint
// once it is stored (only then are the sinks committed, so a crash can never leave committed rows
// the stored checkpoint does not know of). `{"type":"stop","signal"}` from the agent, or the signal
// itself from anyone: SIGUSR1 stops with a savepoint, SIGTERM or SIGINT cancels. Exit codes:
// 0 finished, 3 savepoint, 4 canceled, 1 failed.
// The agent spawns this process itself (not through its spawn helper), so the run's fence is held
// here: `{"type":"fence","ms":N}` kills the run's whole group unless renewed within N ms, and so does
// the agent going away (its channel closing before the result was sent). A stopped or dead agent
// cannot kill anything, and another node takes the run over once its lease runs out.
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { readJsonLines } from '../../json-lines.ts';
import type { PipelineFormat } from '../../model/jobs.ts';
import { parsePipelineText } from '../config/pipeline-config.ts';
import { connectors } from '../connectors/registry.ts';
import { execute, type CheckpointState, type ExecutionStatus } from './executor.ts';

export interface EngineRunSpec {
  jobId: string;
  runId: string;
  format: PipelineFormat;
  config: string;
  /** Where to start: the savepoint of a resumed run, or the last checkpoint of a retried one. */
  checkpoint?: CheckpointState;
}

export type EngineMessage =
  | { type: 'metrics'; metrics: Record<string, unknown> }
  | { type: 'checkpoint'; state: CheckpointState }
  | { type: 'result'; status: ExecutionStatus; error?: string; retriable?: boolean };

export const EXIT_CODES: Readonly<Record<ExecutionStatus, number>> = {
  FINISHED: 0,
  FAILED: 1,
  SAVEPOINT_DONE: 3,
  CANCELED: 4,
};

const METRICS_EVERY_MS = 1000;

/**
 * A stop that comes before the run exists (the agent's stop message can be waiting on the channel
 * when it is first read) is kept for the run. The agent never signals the engine, so its stops
 * cannot come before the handlers below; a `kill -USR1` by hand in the first moments could.
 */
let earlyStop: boolean | undefined;
let stopRun = (savepoint: boolean): void => {
  earlyStop ??= savepoint;
};

async function main(file: string): Promise<number> {
  process.on('SIGUSR1', () => stopRun(true));
  process.on('SIGTERM', () => stopRun(false));
  process.on('SIGINT', () => stopRun(false));
  const toAgent = new Socket({ fd: 3, readable: false, writable: true });
  const fromAgent = new Socket({ fd: 4, readable: true, writable: false });
  const send = (message: EngineMessage) =>
    new Promise<void>((resolve) => toAgent.write(`${JSON.stringify(message)}\n`, () => resolve()));
  const acks = new Map<number, () => void>();
  let finished = false;
  // process.kill(0): the caller's own process group, the run's shell included.
  const fenced = (): void => {
    if (!finished) process.kill(0, 'SIGKILL');
  };
  let fence: NodeJS.Timeout | undefined;
  readJsonLines(fromAgent, (message) => {
    const m = message as { type?: string; id?: number; ms?: number; signal?: string };
    if (m.type === 'ack' && typeof m.id === 'number') acks.get(m.id)?.();
    // The agent's stop: the signal it stands for, sent over the channel so that none is lost.
    if (m.type === 'stop') stopRun(m.signal === 'SIGUSR1');
    if (m.type === 'fence' && typeof m.ms === 'number') {
      clearTimeout(fence);
      fence = setTimeout(fenced, m.ms);
      fence.unref();
    }
  });
  fromAgent.on('close', fenced);

  const finish = async (
    status: ExecutionStatus,
    error?: string,
    retriable = false,
  ): Promise<number> => {
    finished = true;
    clearTimeout(fence);
    await send({ type: 'result', status, ...(error === undefined ? {} : { error, retriable }) });
    toAgent.end();
    return EXIT_CODES[status];
  };

  let spec: EngineRunSpec;
  let config;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8')) as EngineRunSpec;
    config = parsePipelineText(spec.config, spec.format, connectors, process.env);
  } catch (err) {
    return finish('FAILED', (err as Error).message);
  }

  // SeaTunnel's JobMaster writes this line first; its tests and operators' scripts read a job's id
  // from it, so the engine starts its log with the same words.
  process.stdout.write(`Init JobMaster for Job ${config.env.name} (${spec.jobId})\n`);

  // env checkpoint.timeout (60 s): how long a checkpoint waits for the agent to store it before
  // the run fails.
  const ackTimeoutMs = config.env.checkpointTimeoutMs;
  const run = execute({
    config,
    jobId: spec.jobId,
    registry: connectors,
    ...(spec.checkpoint === undefined ? {} : { restore: spec.checkpoint }),
    log: (line) => process.stdout.write(`${line}\n`),
    onCheckpoint: async (state) => {
      const stored = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`the agent did not store checkpoint ${state.checkpointId} in time`)),
          ackTimeoutMs,
        );
        acks.set(state.checkpointId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await send({ type: 'checkpoint', state });
      try {
        await stored;
      } finally {
        acks.delete(state.checkpointId);
      }
    },
  });
  stopRun = (savepoint) => run.stop(savepoint);
  if (earlyStop !== undefined) run.stop(earlyStop);
  const metrics = setInterval(
    () => void send({ type: 'metrics', metrics: { ...run.metrics() } }),
    METRICS_EVERY_MS,
  );
  const result = await run.done;
  clearInterval(metrics);
  await send({ type: 'metrics', metrics: { ...result.metrics } });
  return finish(result.status, result.error, result.retriable);
}

if (import.meta.main) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: engine-main.ts <run.json> (started by the bosun agent)\n');
    process.exit(2);
  }
  main(file).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bosun engine: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
