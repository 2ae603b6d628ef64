// The bounds of every numeric pipeline setting: what one engine process can honour. readPipelineConfig
// checks them when a config is submitted (and again in the engine, with its variables resolved), so a
// config past them is refused with the bound in the message instead of exhausting the engine.
import { MAX_TIMER_MS } from '../../long-timeout.ts';

/** SeaTunnel's int options stop here too (Java's Integer.MAX_VALUE). */
const INT_MAX = 2_147_483_647;

type Role = 'source' | 'transform' | 'sink';

/** An inclusive range, and what it protects, for the message. */
export interface Bound {
  readonly min: number;
  readonly max: number;
  readonly why?: string;
}

const timerMs = (min: number): Bound => ({ min, max: MAX_TIMER_MS, why: "Node's longest timer" });

/**
 * Readers and writers per plugin all run in the one engine process; more only cost memory (a
 * parallelism of 10^9 ran the engine out of it).
 */
export const MAX_PARALLELISM = 128;
export const PARALLELISM: Bound = {
  min: 1,
  max: MAX_PARALLELISM,
  why: 'readers or writers per plugin, all in one engine process',
};

export const ENV_LIMITS = {
  parallelism: PARALLELISM,
  'checkpoint.interval': timerMs(1),
  'checkpoint.timeout': timerMs(1),
  // The job's retry policy takes them; the same bounds as a command job's retry.
  'job.retry.times': { min: 0, max: 99, why: 'a job makes at most 100 attempts' },
  'job.retry.interval.seconds': { min: 0, max: 86_400, why: 'one day' },
  'read_limit.rows_per_second': { min: 1, max: Number.MAX_SAFE_INTEGER },
  'read_limit.bytes_per_second': { min: 1, max: Number.MAX_SAFE_INTEGER },
} as const satisfies Record<string, Bound>;

/** FakeSource's sizes; a row made of them is bounded as a whole by the source itself. */
const FAKE_SIZE: Bound = { min: 0, max: 1_048_576, why: '1 MiB' };

/** Numeric connector options by role and plugin name (lower case: names match case-insensitively). */
const OPTION_LIMITS: Readonly<
  Record<Role, Readonly<Record<string, Readonly<Record<string, Bound>>>>>
> = {
  source: {
    fakesource: {
      'row.num': { min: 0, max: INT_MAX, why: 'rows per reader' },
      // Each split is listed in every checkpoint: split.num × parallelism entries.
      'split.num': {
        min: 1,
        max: 1000,
        why: 'splits per reader, each one kept in every checkpoint',
      },
      'split.read-interval': timerMs(0),
      'string.length': FAKE_SIZE,
      'bytes.length': FAKE_SIZE,
      'array.size': FAKE_SIZE,
      'map.size': FAKE_SIZE,
    },
    localfile: { skip_header_row_number: { min: 0, max: INT_MAX } },
    jdbc: {
      fetch_size: { min: 1, max: 100_000, why: 'rows held in memory per read' },
      partition_num: { min: 1, max: 10_000, why: 'one query per partition' },
      connection_check_timeout_sec: { min: 1, max: 3600, why: 'one hour' },
    },
  },
  transform: {},
  sink: {
    console: { 'log.print.delay.ms': timerMs(0) },
    localfile: { batch_size: { min: 1, max: INT_MAX } },
    jdbc: {
      batch_size: { min: 1, max: INT_MAX },
      connection_check_timeout_sec: { min: 1, max: 3600, why: 'one hour' },
    },
  },
};

/** The numeric options of a plugin with their bounds (none for a plugin without any). */
export function optionLimits(role: Role, name: string): Readonly<Record<string, Bound>> {
  return OPTION_LIMITS[role][name.toLowerCase()] ?? {};
}
