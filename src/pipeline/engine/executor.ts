// Runs one pipeline config: source readers (`parallelism` per source, splits handed out round-robin)
// push batches of rows through the transforms to the sinks, awaiting each write, which is the
// backpressure; `read_limit.*` paces each reader (read-limit.ts). Checkpoints at
// `checkpoint.interval` stop every reader between batches, record each split's position, and commit
// the sinks; a savepoint is a last checkpoint before stopping, and a run restored from one skips what
// was committed. BATCH ends when the sources end; STREAMING when stopped.
import type { PipelineConfig, PluginConfig } from '../config/pipeline-config.ts';
import { buildDag } from '../dag.ts';
import { bytesOfRow, type Field } from '../data-type.ts';
import type {
  ConnectorContext,
  Row,
  Sink,
  Source,
  Split,
  Transform,
} from '../connectors/connector.ts';
import type { ConnectorRegistry } from '../connectors/registry.ts';
import { createMetrics, type MetricsSnapshot } from './metrics.ts';
import { createReadLimit, type ReadLimits } from './read-limit.ts';

export type ExecutionStatus = 'FINISHED' | 'CANCELED' | 'SAVEPOINT_DONE' | 'FAILED';

export interface CheckpointState {
  readonly checkpointId: number;
  /** Source vertex id → split id → position; `DONE` for a finished split. Absent splits start over. */
  readonly splits: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Sink vertex id and subtask → what its commit needs, for a commit cut short by a crash. */
  readonly commits: Readonly<Record<string, unknown>>;
}

export const DONE = 'DONE';

export interface ExecutionResult {
  readonly status: ExecutionStatus;
  readonly error?: string;
  readonly metrics: MetricsSnapshot;
  /** The last checkpoint taken (the savepoint, for SAVEPOINT_DONE). */
  readonly checkpoint?: CheckpointState;
  /**
   * FAILED only: false when the pipeline could not be built (a connector's options, a missing file):
   * a retry would meet the same problem, so none is made, as SeaTunnel fails such a job at once.
   */
  readonly retriable?: boolean;
}

export interface PipelineExecution {
  readonly done: Promise<ExecutionResult>;
  /** Stops the run: with a savepoint (a last checkpoint, resumable) or canceled (nothing kept). */
  stop(withSavepoint: boolean): void;
  metrics(): MetricsSnapshot;
}

export interface ExecuteOptions {
  readonly config: PipelineConfig;
  readonly jobId: string;
  readonly registry: ConnectorRegistry;
  /** Resume from this checkpoint (a savepoint, or the last checkpoint of a failed run). */
  readonly restore?: CheckpointState;
  log(line: string): void;
  /** Persists a checkpoint before its commits run; a rejection fails the run. */
  onCheckpoint?(state: CheckpointState): Promise<void>;
  readonly now?: () => number;
}

interface Loop {
  /** The split it is reading, with its reader, or none between splits. */
  current?: { split: Split; position: () => unknown };
  /** Finished splits of this loop. */
  readonly done: Set<string>;
  finished: boolean;
}

interface SourceVertex {
  readonly id: number;
  readonly source: Source;
  readonly plugin: PluginConfig;
  readonly loops: Loop[];
}

interface SinkVertex {
  readonly id: number;
  readonly subtasks: Array<{ sink: Sink; queue: Promise<void> }>;
}

export function execute(options: ExecuteOptions): PipelineExecution {
  const { config, registry } = options;
  const now = options.now ?? Date.now;
  // Every table a source makes and a sink reads is in the per-table metrics from the start.
  const metrics = createMetrics(now, {
    sources: config.sources.flatMap((p) => (p.output === undefined ? [] : [p.output])),
    sinks: config.sinks.flatMap((p) => p.inputs),
  });
  const abort = new AbortController();
  let stopMode: 'savepoint' | 'cancel' | undefined;
  let lastCheckpoint: CheckpointState | undefined = options.restore;
  let checkpointSeq = options.restore?.checkpointId ?? 0;
  let requestStop: (() => void) | undefined;

  const done = (async (): Promise<ExecutionResult> => {
    const sources: SourceVertex[] = [];
    const sinks: SinkVertex[] = [];
    let built = false;
    const finish = (status: ExecutionStatus, error?: string): ExecutionResult => ({
      status,
      ...(error === undefined ? {} : { error, retriable: built }),
      metrics: metrics.snapshot(),
      ...(lastCheckpoint === undefined ? {} : { checkpoint: lastCheckpoint }),
    });
    try {
      const dag = buildDag(config);
      const context = (plugin: PluginConfig): ConnectorContext => ({
        plugin,
        env: config.env,
        jobId: options.jobId,
        log: options.log,
      });

      // Build the graph's objects and the route of every table to what reads it.
      const tableFields = new Map<string, readonly Field[]>();
      const readers = new Map<string, Array<(rows: Row[], subtask: number) => Promise<void>>>();
      const route = async (table: string, rows: Row[], subtask: number): Promise<void> => {
        const targets = readers.get(table) ?? [];
        if (targets.length === 1) {
          return (targets[0] as (r: Row[], s: number) => Promise<void>)(rows, subtask);
        }
        await Promise.all(targets.map((target) => target(rows, subtask)));
      };
      const addReader = (
        table: string,
        reader: (rows: Row[], subtask: number) => Promise<void>,
      ) => {
        readers.set(table, [...(readers.get(table) ?? []), reader]);
      };

      for (const vertex of dag.vertices) {
        const plugin = vertex.plugin;
        if (plugin.role === 'source') {
          const source = await registry.source(plugin.name).create(context(plugin));
          tableFields.set(plugin.output as string, source.fields);
          sources.push({ id: vertex.id, source, plugin, loops: [] });
        } else if (plugin.role === 'transform') {
          const input = tableFields.get(plugin.inputs[0] as string) ?? [];
          const transform: Transform = registry
            .transform(plugin.name)
            .create(context(plugin), input);
          const output = plugin.output as string;
          tableFields.set(output, transform.fields);
          for (const table of plugin.inputs) {
            addReader(table, (rows, subtask) => {
              const out: Row[] = [];
              for (const row of rows) {
                for (const r of transform.apply(row)) {
                  out.push({ kind: r.kind, table: output, values: r.values });
                }
              }
              metrics.vertex(vertex.id, out.length);
              return out.length === 0 ? Promise.resolve() : route(output, out, subtask);
            });
          }
        } else {
          const input = tableFields.get(plugin.inputs[0] as string) ?? [];
          const factory = registry.sink(plugin.name);
          const subtasks = Array.from({ length: plugin.parallelism }, (_, i) => ({
            sink: factory.create(context(plugin), input, i),
            queue: Promise.resolve(),
          }));
          const vertexSink: SinkVertex = { id: vertex.id, subtasks };
          sinks.push(vertexSink);
          for (const table of plugin.inputs) {
            addReader(table, (rows, subtask) => {
              const target = subtasks[subtask % subtasks.length] as SinkVertex['subtasks'][number];
              // Writers of one subtask take turns, so a sink never sees two writes at once.
              const write = target.queue.then(async () => {
                await target.sink.write(rows);
                metrics.sinkWrote(rows, rowBytes(tableFields, rows));
                metrics.vertex(vertexSink.id, rows.length);
              });
              target.queue = write.catch(() => {});
              return write;
            });
          }
        }
      }

      built = true;
      // A restored run first finishes the commits its last checkpoint had prepared.
      for (const sink of sinks) {
        for (const [i, subtask] of sink.subtasks.entries()) {
          const prepared = options.restore?.commits[`${sink.id}/${i}`];
          if (prepared !== undefined && prepared !== null) await subtask.sink.commit(prepared);
        }
      }

      let fail!: (err: unknown) => void;
      const failure = new Promise<never>((_, reject) => (fail = reject));
      const coordinator = createCoordinator({
        sources,
        sinks,
        next: () => ++checkpointSeq,
        persist: async (state) => {
          await options.onCheckpoint?.(state);
          lastCheckpoint = state;
        },
        fail,
      });

      const loops = sources.flatMap((vertex) =>
        startLoops(
          vertex,
          options.restore,
          route,
          metrics,
          tableFields,
          coordinator,
          config.env,
          abort.signal,
        ),
      );
      const interval = config.env.checkpointIntervalMs;
      const timer =
        interval === undefined ? undefined : setInterval(() => coordinator.request(), interval);
      const stopped = new Promise<void>((resolve) => (requestStop = resolve));
      if (stopMode !== undefined) requestStop?.();
      const ended = Promise.all(loops);
      // STREAMING sources never end: the run waits to be stopped. A failing reader, sink or
      // checkpoint ends either at once.
      const bounded = sources.every((s) => s.source.bounded);
      try {
        await Promise.race([bounded ? ended : ended.then(() => stopped), stopped, failure]);
      } finally {
        clearInterval(timer);
      }

      if (stopMode === 'cancel') {
        abort.abort();
        await Promise.allSettled(loops);
        await Promise.all(sinks.flatMap((s) => s.subtasks.map((t) => t.sink.abort())));
        return finish('CANCELED');
      }
      // Finished or savepoint: a last checkpoint commits everything read so far, and the readers stop
      // right there, so nothing is read after the savepoint.
      await Promise.race([coordinator.checkpoint(() => abort.abort()), failure]);
      await Promise.all(loops);
      return finish(stopMode === 'savepoint' ? 'SAVEPOINT_DONE' : 'FINISHED');
    } catch (err) {
      abort.abort();
      await Promise.allSettled(sinks.flatMap((s) => s.subtasks.map((t) => t.sink.abort())));
      return finish('FAILED', (err as Error).message ?? String(err));
    } finally {
      await Promise.allSettled(sinks.flatMap((s) => s.subtasks.map((t) => t.sink.close())));
    }
  })();

  return {
    done,
    stop(withSavepoint) {
      if (stopMode !== undefined) return;
      stopMode = withSavepoint ? 'savepoint' : 'cancel';
      // Before the readers start, the stop is seen as soon as they are set up.
      requestStop?.();
    },
    metrics: () => metrics.snapshot(),
  };
}

/** Bytes of the batches counted so far: without a transform a sink gets the source's very batch. */
const batchBytes = new WeakMap<readonly Row[], number>();

function rowBytes(fields: Map<string, readonly Field[]>, rows: readonly Row[]): number {
  let sum = batchBytes.get(rows);
  if (sum !== undefined) return sum;
  sum = 0;
  for (const row of rows) sum += bytesOfRow(fields.get(row.table) ?? [], row.values);
  batchBytes.set(rows, sum);
  return sum;
}

interface Coordinator {
  /** Asks for a checkpoint at the readers' next batch boundary. */
  request(): void;
  /**
   * Takes a checkpoint now (readers pause at their boundary) and resolves when it is committed;
   * `before` runs before the readers are released (to stop them right at the savepoint).
   */
  checkpoint(before?: () => void): Promise<void>;
  /** Called by a reader loop between batches; resolves when it may go on. */
  boundary(loop: Loop): Promise<void>;
  /** A loop that will read no more. */
  retire(loop: Loop): void;
}

function createCoordinator(deps: {
  sources: SourceVertex[];
  sinks: SinkVertex[];
  next: () => number;
  persist: (state: CheckpointState) => Promise<void>;
  /** A checkpoint taken in the background failed: the run fails. */
  fail: (err: unknown) => void;
}): Coordinator {
  let pending:
    | { waiting: Set<Loop>; arrived: () => void; released: Promise<void>; done: Promise<void> }
    | undefined;
  const live = (): Loop[] => deps.sources.flatMap((s) => s.loops).filter((l) => !l.finished);
  const allArrived = (waiting: Set<Loop>) => live().every((l) => waiting.has(l));

  const take = async (): Promise<void> => {
    const id = deps.next();
    const splits: Record<string, Record<string, unknown>> = {};
    for (const s of deps.sources) {
      const positions: Record<string, unknown> = {};
      for (const loop of s.loops) {
        for (const split of loop.done) positions[split] = DONE;
        if (loop.current) positions[loop.current.split.id] = loop.current.position();
      }
      splits[String(s.id)] = positions;
    }
    const commits: Record<string, unknown> = {};
    const prepared: Array<[Sink, unknown]> = [];
    for (const sink of deps.sinks) {
      for (const [i, subtask] of sink.subtasks.entries()) {
        await subtask.queue;
        const p = await subtask.sink.prepareCommit(id);
        commits[`${sink.id}/${i}`] = p;
        prepared.push([subtask.sink, p]);
      }
    }
    await deps.persist({ checkpointId: id, splits, commits });
    for (const [sink, p] of prepared) await sink.commit(p);
  };

  const start = (before?: () => void): Promise<void> => {
    if (pending) return pending.done.then(() => start(before));
    let arrived!: () => void;
    let release!: () => void;
    const all = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const waiting = new Set<Loop>();
    const current = { waiting, arrived, released, done: Promise.resolve() };
    pending = current;
    current.done = (async () => {
      if (allArrived(waiting)) arrived();
      await all;
      try {
        await take();
        before?.();
      } finally {
        pending = undefined;
        release();
      }
    })();
    return current.done;
  };

  const check = () => {
    if (pending && allArrived(pending.waiting)) pending.arrived();
  };

  return {
    request() {
      // One at a time: an interval shorter than a checkpoint takes must not queue them up.
      if (pending === undefined) start().catch(deps.fail);
    },
    checkpoint: (before) => start(before),
    async boundary(loop) {
      const p = pending;
      if (!p || p.waiting.has(loop)) return;
      p.waiting.add(loop);
      check();
      await p.released;
    },
    retire(loop) {
      loop.finished = true;
      check();
    },
  };
}

function startLoops(
  vertex: SourceVertex,
  restore: CheckpointState | undefined,
  route: (table: string, rows: Row[], subtask: number) => Promise<void>,
  metrics: ReturnType<typeof createMetrics>,
  fields: Map<string, readonly Field[]>,
  coordinator: Coordinator,
  limits: ReadLimits,
  signal: AbortSignal,
): Array<Promise<void>> {
  const parallelism = vertex.plugin.parallelism;
  const restored = restore?.splits[String(vertex.id)] ?? {};
  const all = vertex.source.splits(parallelism);
  const table = vertex.plugin.output as string;
  const rowFields = fields.get(table) ?? [];
  return Array.from({ length: parallelism }, (_, subtask) => {
    const loop: Loop = { done: new Set(), finished: false };
    vertex.loops.push(loop);
    const mine = all.filter((_, i) => i % parallelism === subtask);
    const limit = createReadLimit(limits, (row) => bytesOfRow(rowFields, row.values));
    return (async () => {
      try {
        for (const split of mine) {
          if (restored[split.id] === DONE) {
            loop.done.add(split.id);
            continue;
          }
          const reader = vertex.source.reader(split, restored[split.id], subtask);
          loop.current = { split, position: () => reader.position() };
          for (;;) {
            if (signal.aborted) return;
            const rows = await reader.next(signal);
            if (rows === null || signal.aborted) break;
            for (const part of limit?.slices(rows) ?? [rows]) {
              const bytes = rowBytes(fields, part);
              await limit?.pass(part.length, bytes, signal);
              if (signal.aborted) return;
              metrics.sourceReceived(part, bytes);
              metrics.vertex(vertex.id, part.length);
              await route(table, part, subtask);
            }
            await coordinator.boundary(loop);
          }
          if (signal.aborted) return;
          loop.done.add(split.id);
          loop.current = undefined;
        }
      } finally {
        coordinator.retire(loop);
      }
    })();
  });
}
