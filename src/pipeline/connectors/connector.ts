// What a connector is: a source, transform or sink factory that reads its own options and makes the
// objects the engine drives. Each connector is one file implementing one of these; the registry lists
// them, so adding one touches nothing else.
import type { PluginConfig, PipelineEnv } from '../config/pipeline-config.ts';
import type { Field, RowKind } from '../data-type.ts';
import { configError } from '../config-error.ts';

/** One row on its way through a pipeline. */
export interface Row {
  readonly kind: RowKind;
  /** The table it belongs to (what metrics count per table). */
  readonly table: string;
  readonly values: unknown[];
}

/** A piece of a source's work, given to one reader; JSON-able, so checkpoints can record it. */
export interface Split {
  readonly id: string;
  readonly [field: string]: unknown;
}

export interface SplitReader {
  /** The next rows of the split, or null once it is done. Not called again before they are written. */
  next(signal: AbortSignal): Promise<Row[] | null>;
  /** Where to resume this split (JSON-able), valid between calls to next(). */
  position(): unknown;
}

export interface Source {
  readonly fields: readonly Field[];
  /** The splits, all of them; the engine hands them out to `parallelism` readers. */
  splits(parallelism: number): Split[];
  /** A reader for a split, resuming from a checkpointed position when one is given. */
  reader(split: Split, position: unknown, subtask: number): SplitReader;
  /** Whether the source ends when its splits are done (BATCH); a STREAMING source idles until stopped. */
  readonly bounded: boolean;
}

export interface Transform {
  readonly fields: readonly Field[];
  /** The rows one input row becomes: none (filtered out), one, or several. */
  apply(row: Row): Row[];
}

export interface Sink {
  write(rows: readonly Row[]): Promise<void>;
  /**
   * Makes what was written since the last checkpoint ready to commit and returns what commit()
   * needs (JSON-able: it is stored with the checkpoint so a restarted run can finish the commit).
   */
  prepareCommit(checkpointId: number): Promise<unknown>;
  commit(prepared: unknown): Promise<void>;
  /** Drops what was written since the last checkpoint (a canceled run). */
  abort(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectorContext {
  readonly plugin: PluginConfig;
  readonly env: PipelineEnv;
  /** The pipeline job's id, for file names. */
  readonly jobId: string;
  /** Text for the run's log (the Console sink's rows, warnings). */
  log(line: string): void;
}

export interface SourceFactory {
  readonly role: 'source';
  readonly name: string;
  /** May take a while (a database describes its query); the engine waits for it before it starts. */
  create(ctx: ConnectorContext): Source | Promise<Source>;
}

export interface TransformFactory {
  readonly role: 'transform';
  readonly name: string;
  create(ctx: ConnectorContext, input: readonly Field[]): Transform;
}

export interface SinkFactory {
  readonly role: 'sink';
  readonly name: string;
  create(ctx: ConnectorContext, input: readonly Field[], subtask: number): Sink;
}

export type ConnectorFactory = SourceFactory | TransformFactory | SinkFactory;

/** Reads a connector's options with messages that name the plugin, the option and the fix. */
export function optionReader(ctx: ConnectorContext) {
  const { plugin } = ctx;
  const where = `${plugin.name}`;
  const options = plugin.options;
  const bad = (name: string, want: string): never => {
    throw configError(
      `${where}: option '${name}' must be ${want}, not ${JSON.stringify(options[name])}`,
    );
  };
  return {
    has: (name: string) => options[name] !== undefined,
    required(name: string): unknown {
      const value = options[name];
      if (value === undefined || value === null || value === '') {
        // SeaTunnel's own wording, with the plugin named.
        throw configError(
          `ErrorCode:[API-02], ErrorDescription:[Option item validate failed] - There are unconfigured options, the options('${name}') are required. (${where})`,
        );
      }
      return value;
    },
    string(name: string, fallback?: string): string {
      const value = options[name];
      if (value === undefined || value === null) {
        if (fallback === undefined) return this.required(name) as string;
        return fallback;
      }
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return bad(name, 'text');
      }
      return String(value);
    },
    int(name: string, fallback: number, min = 0): number {
      const value = options[name];
      if (value === undefined || value === null) return fallback;
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
        return bad(name, `a whole number ≥ ${min}`);
      }
      return n;
    },
    boolean(name: string, fallback: boolean): boolean {
      const value = options[name];
      if (value === undefined || value === null) return fallback;
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      return bad(name, 'true or false');
    },
    oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
      const value = options[name];
      if (value === undefined || value === null) return fallback;
      const found = choices.find((c) => c.toLowerCase() === String(value).toLowerCase());
      return found ?? bad(name, `one of ${choices.join(', ')}`);
    },
    raw: (name: string): unknown => options[name],
  };
}

export type OptionReader = ReturnType<typeof optionReader>;
