// A pipeline job's config, read once from SeaTunnel's JSON or HOCON form and checked: the env options,
// each plugin's role, name, wiring (plugin_output/result_table_name → plugin_input/source_table_name)
// and parallelism, and the DAG they make (specs/seatunnel.md §5 and §2.1). Connector options are
// checked by the connectors themselves; here only that each plugin exists and that its numeric
// options are within what the engine can honour (limits.ts).
import type { PipelineFormat } from '../../model/jobs.ts';
import { MAX_JSON_DEPTH, parseJson, valueDepth } from '../../parse-json.ts';
import { parseHocon, type HoconValue } from './hocon.ts';
import { ENV_LIMITS, optionLimits, PARALLELISM, type Bound } from './limits.ts';
import { parseSqlConfig } from './sql-config.ts';
import { configError } from '../config-error.ts';

export type JobMode = 'BATCH' | 'STREAMING';
export type PluginRole = 'source' | 'transform' | 'sink';

export interface PipelineEnv {
  readonly mode: JobMode;
  /** `job.name`, else `SeaTunnel_Job`. */
  readonly name: string;
  readonly parallelism: number;
  /** undefined = no checkpoints (BATCH without `checkpoint.interval`). */
  readonly checkpointIntervalMs: number | undefined;
  readonly checkpointTimeoutMs: number;
  readonly retryTimes: number;
  readonly retryIntervalSec: number;
  readonly rowsPerSecond: number | undefined;
  readonly bytesPerSecond: number | undefined;
  /** `shade.identifier`: how secrets in the config are encoded (`default` = as written, `base64`). */
  readonly shadeIdentifier: string;
  /** The env as written, every value a string: what SeaTunnel's REST shows as `envOptions`. */
  readonly options: Readonly<Record<string, string>>;
}

export interface PluginConfig {
  readonly role: PluginRole;
  /** Position among the plugins of its role, from 0. */
  readonly index: number;
  /** `plugin_name` as written (`Console`, `console`). */
  readonly name: string;
  /** The table it produces (sources and transforms); undefined for sinks. */
  readonly output: string | undefined;
  /** The tables it reads (transforms and sinks). */
  readonly inputs: readonly string[];
  readonly parallelism: number;
  /** Everything else, as written. */
  readonly options: Readonly<Record<string, HoconValue>>;
}

export interface PipelineConfig {
  readonly env: PipelineEnv;
  readonly sources: readonly PluginConfig[];
  readonly transforms: readonly PluginConfig[];
  readonly sinks: readonly PluginConfig[];
}

/** Which plugins exist, by role; the connector registry provides it. */
export interface PluginCatalog {
  names(role: PluginRole): readonly string[];
}

/** The table a source or transform without a name produces (SeaTunnel's identifier). */
export const DEFAULT_TABLE = 'default-identifier';

const WIRING_KEYS = new Set([
  'plugin_name',
  'plugin_output',
  'result_table_name',
  'plugin_input',
  'source_table_name',
  'parallelism',
]);
const JAVA_CLASS: Record<PluginRole, string> = {
  source: 'Source',
  transform: 'Transform',
  sink: 'Sink',
};

/** Every `${var}` read as empty: for a config's structure (plugins, wiring, DAG), not its values. */
const NO_VARIABLES: Readonly<Record<string, string>> = new Proxy({}, { get: () => '' });
/** Stored configs already parsed, by text: jobs are listed and shown far more often than changed. */
const structures = new Map<string, PipelineConfig>();
const STRUCTURES_KEPT = 256;

/**
 * The structure of a stored or submitted pipeline config (checked as parsePipelineText does, with
 * every `${var}` empty; the engine resolves them when a run starts).
 */
export function pipelineStructure(
  pipeline: { format: PipelineFormat; config: string },
  catalog: PluginCatalog,
): PipelineConfig {
  const key = `${pipeline.format}\n${pipeline.config}`;
  let config = structures.get(key);
  if (config === undefined) {
    config = parsePipelineText(pipeline.config, pipeline.format, catalog, NO_VARIABLES);
    if (structures.size >= STRUCTURES_KEPT) {
      structures.delete(structures.keys().next().value as string);
    }
    structures.set(key, config);
  }
  return config;
}

/** The form of a config file by its name: `.json`, `.sql`, anything else HOCON (SeaTunnel's `.conf`). */
export function formatOfFile(file: string): PipelineFormat {
  const ext = /\.(json|sql)$/i.exec(file)?.[1]?.toLowerCase();
  return ext === 'json' || ext === 'sql' ? ext : 'hocon';
}

/** Reads a config document in any of its text forms. */
export function parsePipelineText(
  text: string,
  format: PipelineFormat,
  catalog: PluginCatalog,
  variables: Readonly<Record<string, string | undefined>> = {},
): PipelineConfig {
  let doc: unknown;
  if (format === 'json') {
    try {
      doc = parseJson(text);
    } catch (err) {
      // SeaTunnel's message, with the depth limit's reason when that was it.
      const deep = /nested \d+ levels/.test((err as Error).message)
        ? ` ${(err as Error).message}`
        : '';
      throw configError(`Invalid JSON format in request body.${deep}`);
    }
  } else if (format === 'sql') {
    doc = parseSqlConfig(text, variables);
  } else {
    try {
      doc = parseHocon(text, { variables });
    } catch (err) {
      throw configError(`Invalid HOCON config: ${(err as Error).message}`);
    }
  }
  // Whatever reads the config next recurses; HOCON and SQL have no depth limit of their own.
  if (valueDepth(doc) > MAX_JSON_DEPTH) {
    throw configError(`the config nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  return readPipelineConfig(doc, catalog);
}

export function readPipelineConfig(doc: unknown, catalog: PluginCatalog): PipelineConfig {
  if (!isRecord(doc)) {
    throw configError(
      'the config must be an object with env, source, transform and sink, e.g. {"env":{"job.mode":"BATCH"},"source":[…],"sink":[…]}',
    );
  }
  const env = readEnv(doc.env);
  const sources = readPlugins(doc.source, 'source', env, catalog);
  const transforms = readPlugins(doc.transform, 'transform', env, catalog);
  const sinks = readPlugins(doc.sink, 'sink', env, catalog);
  if (sources.length === 0) {
    throw configError('Miss <Source> config! Please check the config file.');
  }
  if (sinks.length === 0) {
    throw configError('Miss <Sink> config! Please check the config file.');
  }

  // Wiring in config order: an omitted input is the table made just before.
  const tables = new Set<string>();
  let last: string | undefined;
  const wire = (raw: RawPlugin): PluginConfig => {
    const inputs = raw.role === 'source' ? [] : (raw.inputs ?? (last === undefined ? [] : [last]));
    for (const input of inputs) {
      if (!tables.has(input)) {
        throw configError(
          `${JAVA_CLASS[raw.role]}[${raw.index}]-${raw.name}: ${raw.inputKey} "${input}" is not a table any source or transform makes` +
            (tables.size > 0
              ? `; the tables are ${[...tables].map((t) => `"${t}"`).join(', ')}`
              : ''),
        );
      }
    }
    const output = raw.role === 'sink' ? undefined : (raw.output ?? DEFAULT_TABLE);
    if (output !== undefined) {
      tables.add(output);
      last = output;
    }
    return { ...raw, inputs, output };
  };
  return {
    env,
    sources: sources.map(wire),
    transforms: transforms.map(wire),
    sinks: sinks.map(wire),
  };
}

interface RawPlugin extends Omit<PluginConfig, 'inputs' | 'output'> {
  readonly inputs: readonly string[] | undefined;
  readonly output: string | undefined;
  /** The option name the inputs came from, for messages. */
  readonly inputKey: string;
}

function readPlugins(
  value: unknown,
  role: PluginRole,
  env: PipelineEnv,
  catalog: PluginCatalog,
): RawPlugin[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw configError(
      `"${role}" must be a list of plugins, e.g. "${role}": [{"plugin_name": "${catalog.names(role)[0] ?? 'Name'}", …}]`,
    );
  }
  const known = catalog.names(role);
  return value.map((entry, index): RawPlugin => {
    const at = `${role}[${index}]`;
    if (!isRecord(entry)) {
      throw configError(`${at} must be an object with a plugin_name`);
    }
    const name = entry.plugin_name;
    if (typeof name !== 'string' || name === '') {
      throw configError(`${at}: plugin_name is required, one of ${known.join(', ')}`);
    }
    if (!known.some((k) => k.toLowerCase() === name.toLowerCase())) {
      throw configError(
        `Plugin PluginIdentifier{engineType='seatunnel', pluginType='${role}', pluginName='${name}'} not found. ` +
          `Known ${role}s: ${known.join(', ')}`,
      );
    }
    const where = `${JAVA_CLASS[role]}[${index}]-${name}`;
    const output = tableName(entry, ['plugin_output', 'result_table_name'], where);
    const inputKey = entry.plugin_input !== undefined ? 'plugin_input' : 'source_table_name';
    const inputs = tableNames(entry[inputKey], inputKey, where);
    const parallelism =
      entry.parallelism === undefined
        ? env.parallelism
        : wholeNumber(entry.parallelism, `${where}: parallelism`, PARALLELISM);
    for (const [key, bound] of Object.entries(optionLimits(role, name))) {
      const value = entry[key];
      // '' is also what a `${VAR}` reads as while a stored config is checked: the engine, which
      // resolves the variables, checks it again.
      if (value !== undefined && value !== null && value !== '') {
        wholeNumber(value, `${where}: option '${key}'`, bound);
      }
    }
    const options = Object.fromEntries(
      Object.entries(entry).filter(([k]) => !WIRING_KEYS.has(k)),
    ) as Record<string, HoconValue>;
    if (role === 'source' && (entry.plugin_input ?? entry.source_table_name) !== undefined) {
      throw configError(`${where}: a source reads no table; remove ${inputKey}`);
    }
    if (role === 'sink' && output !== undefined) {
      throw configError(`${where}: a sink makes no table; remove plugin_output/result_table_name`);
    }
    return { role, index, name, output, inputs, inputKey, parallelism, options };
  });
}

function tableName(
  entry: Record<string, unknown>,
  keys: string[],
  where: string,
): string | undefined {
  for (const key of keys) {
    const value = entry[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw configError(`${where}: ${key} must be a table name, e.g. "fake"`);
    }
    return value.trim();
  }
  return undefined;
}

function tableNames(value: unknown, key: string, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((t) => typeof t !== 'string' || t.trim() === '')
  ) {
    throw configError(
      `${where}: ${key} must be a table name or a list of them, e.g. "fake" or ["a", "b"]`,
    );
  }
  return (list as string[]).map((t) => t.trim());
}

function readEnv(value: unknown): PipelineEnv {
  if (value !== undefined && value !== null && !isRecord(value)) {
    throw configError('"env" must be an object, e.g. {"job.mode": "BATCH"}');
  }
  const env = (value ?? {}) as Record<string, unknown>;
  const pick = (...keys: string[]): unknown => keys.map((k) => env[k]).find((v) => v !== undefined);

  const rawMode = pick('job.mode');
  const mode = rawMode === undefined ? 'BATCH' : String(rawMode).toUpperCase();
  if (mode !== 'BATCH' && mode !== 'STREAMING') {
    throw configError(
      `Could not parse value for enum JobMode: '${String(rawMode)}' (env option job.mode). Expected one of: [BATCH, STREAMING]`,
    );
  }
  const interval = pick('checkpoint.interval', 'execution.checkpoint.interval');
  const number = (name: keyof typeof ENV_LIMITS, v: unknown) =>
    v === undefined ? undefined : wholeNumber(v, `env option ${name}`, ENV_LIMITS[name]);
  const shade = pick('shade.identifier');
  if (shade !== undefined && shade !== 'default' && shade !== 'base64') {
    throw configError(
      `env option shade.identifier: '${String(shade)}' is not supported; use "default" (values as written) or "base64"`,
    );
  }
  return {
    mode,
    name: pick('job.name') === undefined ? 'SeaTunnel_Job' : String(pick('job.name')),
    parallelism: number('parallelism', pick('parallelism', 'execution.parallelism')) ?? 1,
    // STREAMING always checkpoints (SeaTunnel's shipped seatunnel.yaml: 10 s); BATCH only when asked.
    checkpointIntervalMs:
      number('checkpoint.interval', interval) ?? (mode === 'STREAMING' ? 10_000 : undefined),
    checkpointTimeoutMs: number('checkpoint.timeout', pick('checkpoint.timeout')) ?? 60_000,
    retryTimes: number('job.retry.times', pick('job.retry.times')) ?? 3,
    retryIntervalSec: number('job.retry.interval.seconds', pick('job.retry.interval.seconds')) ?? 3,
    rowsPerSecond: number('read_limit.rows_per_second', pick('read_limit.rows_per_second')),
    bytesPerSecond: number('read_limit.bytes_per_second', pick('read_limit.bytes_per_second')),
    shadeIdentifier: shade === undefined ? 'default' : String(shade),
    options: Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
      ]),
    ),
  };
}

function wholeNumber(value: unknown, name: string, bound: Bound): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < bound.min || n > bound.max) {
    const why = bound.why === undefined ? '' : ` (${bound.why})`;
    throw configError(
      `${name} must be a whole number from ${bound.min} to ${bound.max}${why}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
