// What a console command is: a small spec (name, usage, options) and a run function that emits typed
// result items until it is done or interrupted. One file per command under commands/.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { JobsService } from '../jobs/jobs-service.ts';
import type { Logger } from '../logger.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { RuntimeStatsSource } from '../monitor/runtime-stats.ts';
import { CommandFailure, STATUS, type ConsoleJobStatus, type ItemBody } from './model.ts';

/** What commands may use of the agent. */
export interface ConsoleDeps {
  readonly monitor: Monitor;
  readonly jobs: JobsService;
  readonly config: Config;
  readonly runtime: RuntimeStatsSource;
  readonly logger: Logger;
  readonly version: string;
  readonly nodeId: string;
  /** When the agent started, ms since the epoch. */
  readonly startedAt: number;
  /** Where heap snapshots and CPU profiles are written (under the data dir). */
  readonly dumpDir: string;
  /** The agent's environment, for `sysenv` (masked on output). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A console job as `jobs` lists it. */
export interface ConsoleJobInfo {
  readonly id: number;
  readonly command: string;
  readonly status: ConsoleJobStatus;
  readonly background: boolean;
  /** ms since the epoch */
  readonly startedAt: number;
}

/** The session a command runs in, as commands see it. */
export interface SessionView {
  readonly id: string;
  readonly createTime: number;
  readonly lastAccessTime: number;
  /** Consumer ids with their last pull time (ms since the epoch). */
  consumers(): ReadonlyArray<{ id: string; lastAccessTime: number }>;
  /** Command lines run in this session, oldest first. */
  history(): readonly string[];
  /** The session's unfinished jobs, oldest first. */
  jobs(): readonly ConsoleJobInfo[];
  /** Interrupts one of the session's jobs; false when there is no such job. */
  kill(jobId: number): boolean;
  /** Moves a background job to the foreground; an error message when it cannot. */
  foreground(jobId: number): string | undefined;
  /** Moves the foreground job (other than the caller) to the background; an error message when it cannot. */
  background(jobId: number): string | undefined;
}

export interface CommandContext {
  readonly jobId: number;
  readonly deps: ConsoleDeps;
  readonly session: SessionView;
  /** Aborted when the job is interrupted, killed, timed out or its session closes. */
  readonly signal: AbortSignal;
  /** Adds a result item of this job to the session's stream. */
  emit<T extends ItemBody>(item: T): void;
  /** Waits `ms`, or less if interrupted; resolves false when interrupted. */
  sleep(ms: number): Promise<boolean>;
}

export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

export interface CommandArgs {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

interface SpecBase {
  readonly name: string;
  /** One line for `help`. */
  readonly summary: string;
  /** e.g. `dashboard [-i <ms>] [-n <count>]` */
  readonly usage: string;
  /** Option lines for `-h`, e.g. `['-i, --interval <ms>  refresh interval (default 5000)']`. */
  readonly optionHelp?: readonly string[];
  readonly examples?: readonly string[];
  /** node:util parseArgs options; `-h, --help` is added to every command. */
  readonly options?: ParseArgsOptionsConfig;
  /** Positional arguments allowed. @default { min: 0, max: 0 } */
  readonly positionals?: { readonly min: number; readonly max: number };
}

export interface CommandSpec extends SpecBase {
  readonly kind: 'command';
  run(ctx: CommandContext, args: CommandArgs): Promise<void>;
}

/** A pipe stage (`cmd | grep x`): works on the text lines of what runs before it. */
export interface Stage {
  /** The lines to pass on for one input line. */
  line(text: string): readonly string[];
  /** Lines to add when the input ends. */
  end(): readonly string[];
}

export interface StageSpec extends SpecBase {
  readonly kind: 'stage';
  create(args: CommandArgs): Stage;
}

export type ConsoleCommand = CommandSpec | StageSpec;

const HELP_OPTION: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
/** A bare command name's arguments, shared (frozen: commands only read their arguments). */
const NO_ARGS: CommandArgs = Object.freeze({
  values: Object.freeze({}),
  positionals: Object.freeze([]),
});

/**
 * Parses `argv` against the spec. Returns undefined for `-h` (the caller prints help); throws a
 * CommandFailure with statusCode -10 and a message naming the fix for anything else wrong.
 */
export function parseCommandArgs(spec: SpecBase, argv: readonly string[]): CommandArgs | undefined {
  // Most command lines are a bare name; node:util's parseArgs costs a few µs even for none.
  if (argv.length === 0) {
    if ((spec.positionals?.min ?? 0) > 0) {
      throw new CommandFailure(
        `${spec.name}: missing argument. Usage: ${spec.usage}`,
        STATUS.BAD_ARGS,
      );
    }
    return NO_ARGS;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...spec.options, ...HELP_OPTION },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // node:util's messages name the option; add how to get the usage.
    const reason = (err as Error).message.replace(/\. To specify a positional.*$/s, '');
    throw new CommandFailure(
      `${spec.name}: ${reason}. Usage: ${spec.usage} (see '${spec.name} -h')`,
      STATUS.BAD_ARGS,
    );
  }
  if (parsed.values.help === true) return undefined;
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  const count = parsed.positionals.length;
  if (count < min || count > max) {
    const what =
      count < min ? 'missing argument' : `unexpected argument '${parsed.positionals[max]}'`;
    throw new CommandFailure(`${spec.name}: ${what}. Usage: ${spec.usage}`, STATUS.BAD_ARGS);
  }
  const { help: _help, ...values } = parsed.values;
  return { values, positionals: parsed.positionals };
}

/** The text `cmd -h` shows. */
export function helpText(spec: SpecBase): string {
  const lines = [`USAGE: ${spec.usage}`, '', spec.summary];
  if (spec.optionHelp?.length) lines.push('', 'OPTIONS:', ...spec.optionHelp.map((l) => `  ${l}`));
  lines.push('  -h, --help  this help');
  if (spec.examples?.length) lines.push('', 'EXAMPLES:', ...spec.examples.map((l) => `  ${l}`));
  return lines.join('\n');
}

/** The most a count option (`-n`, `-m`, context lines) takes; a bound keeps every input bounded. */
export const MAX_COUNT = 1_000_000;

/**
 * Reads an integer option: undefined when absent, the number when it is a whole number within
 * bounds, otherwise a CommandFailure naming the option and the range. Both bounds are required, so
 * no user-given count or delay goes unbounded (a delay over MAX_TIMER_MS would fire at once).
 */
export function intOption(
  value: unknown,
  name: string,
  bounds: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  const { min, max } = bounds;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CommandFailure(
      `${name} must be a whole number from ${min} to ${max}, not '${String(value)}'`,
      STATUS.BAD_ARGS,
    );
  }
  return n;
}
