// The agent's configuration: one table of settings with documented defaults, loaded from
// defaults < bosun.yaml < BOSUN_* env < flags, validated once with messages that name the setting,
// then frozen. Only main.ts hands this module process.env and argv.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import path from 'node:path';
import type * as YAMLModule from 'yaml';
import { AgentError } from './errors.ts';
import { DEFAULT_THRESHOLDS, type HealthThresholds } from './monitor/health.ts';
import { maskUrl } from './mask-url.ts';
import { DEFAULT_LEASE_MS, MIN_LEASE_MS } from './jobs/lease-timing.ts';

export type LogFormat = 'auto' | 'json' | 'pretty';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface Config {
  /** Address to listen on. @default '127.0.0.1' */
  readonly bind: string;
  /** TCP port; 0 picks a free one. @default 8600 */
  readonly port: number;
  /** Host sampling interval in ms. @default 3000 (vminfo's) */
  readonly intervalMs: number;
  /** Access token; undefined = no auth (only allowed on loopback unless insecure). */
  readonly token: string | undefined;
  /** True when the token was generated at start (bare --token): it is printed once. */
  readonly tokenGenerated: boolean;
  /** Refuse every route that changes something. @default false */
  readonly readOnly: boolean;
  /** Allow a non-loopback bind without a token. @default false */
  readonly insecure: boolean;
  /**
   * Host names (beyond the loopback names) a loopback-bound agent answers to; refuses DNS rebinding.
   * Bound beyond loopback, any Host is accepted. @default []
   */
  readonly allowedHosts: readonly string[];
  /**
   * Origins (scheme://host[:port]) besides the agent's own that may change state or subscribe to
   * streams through a browser: a reverse proxy that rewrites Host, a client page served elsewhere. @default []
   */
  readonly allowedOrigins: readonly string[];
  /** Where the agent keeps its state (SQLite file, node id, dumps). @default './data' */
  readonly dataDir: string;
  /** A SQLite file path or a postgres:// URL. @default '<dataDir>/bosun.db' */
  readonly store: string;
  /** How often this node renews its heartbeat and stores its latest sample, ms. @default 10000 */
  readonly heartbeatMs: number;
  /**
   * How long a run's lease lasts without renewal: how soon a dead node's runs fail over, and how long
   * a store outage the runs ride out (about half of it). @default 12000
   */
  readonly leaseMs: number;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** 'auto' is readable on a TTY and JSON otherwise. @default 'auto' */
  readonly logFormat: LogFormat;
  /** Overrides of the health score's thresholds (monitor/health.ts DEFAULT_THRESHOLDS). @default {} */
  readonly health: Readonly<Partial<HealthThresholds>>;
  /** Runs this node executes at once. @default 16 */
  readonly slots: number;
  /** Output stored per run; beyond it the head and tail are kept and the cut is marked. @default 8 MiB */
  readonly logCapBytes: number;
  /** Finished runs kept per job (a job's keepRuns overrides it). @default 100 */
  readonly keepRuns: number;
  /** Finished runs older than this are deleted, ms. @default 30 days */
  readonly runMaxAgeMs: number;
  /** Stored log bytes of all runs together; the oldest logs go first. @default 1 GiB */
  readonly logBudgetBytes: number;
  /** Console (POST /api): result items kept per consumer; older ones are dropped and counted. @default 1000 */
  readonly consoleBuffer: number;
  /** Console: most items one pull_results returns. @default 20 */
  readonly consoleBatchSize: number;
  /** Console: how long a pull waits for more items after the first, ms. @default 100 */
  readonly consoleBatchWindowMs: number;
  /** Console: how long a pull with nothing to return waits, ms. @default 2000 */
  readonly consolePullWaitMs: number;
  /** Console: a consumer that has not pulled for this long is removed, ms. @default 5 min */
  readonly consoleConsumerTtlMs: number;
  /** Console: a session nobody has used for this long is closed (never while a job runs), ms. @default 3 h */
  readonly consoleSessionTtlMs: number;
  /** Console: exec's default execTimeout, ms. @default 30 s */
  readonly consoleExecTimeoutMs: number;
  /** Console: any console job is stopped after this long, ms. @default 1 day */
  readonly consoleJobTimeoutMs: number;
  /** The YAML file these settings were read from, if any. */
  readonly configFile: string | undefined;
}

type Kind =
  | 'string'
  | 'list'
  | 'port'
  | 'duration'
  | 'boolean'
  | 'token'
  | 'enum'
  | 'thresholds'
  | 'count'
  | 'bytes';

/** One row per setting: the flag, env and YAML names all derive from `name`. */
export interface SettingSpec {
  readonly name: string;
  readonly key: keyof Config;
  readonly kind: Kind;
  readonly description: string;
  readonly choices?: readonly string[];
  /** Shown in --help; the real default is applied in `resolve`. */
  readonly defaultText?: string;
}

export const SETTINGS: readonly SettingSpec[] = Object.freeze([
  {
    name: 'bind',
    key: 'bind',
    kind: 'string',
    description: 'address to listen on',
    defaultText: '127.0.0.1',
  },
  {
    name: 'port',
    key: 'port',
    kind: 'port',
    description: 'TCP port (0 = any free port)',
    defaultText: '8600',
  },
  {
    name: 'interval',
    key: 'intervalMs',
    kind: 'duration',
    description: 'host sampling interval, e.g. 500ms, 2s, 1m',
    defaultText: '3s',
  },
  {
    name: 'token',
    key: 'token',
    kind: 'token',
    description: 'require this access token; bare --token generates one and prints it once',
  },
  {
    name: 'token-file',
    key: 'token',
    kind: 'string',
    description: 'read the access token from this file (keeps it out of process listings)',
  },
  {
    name: 'allowed-hosts',
    key: 'allowedHosts',
    kind: 'list',
    description:
      'comma-separated Host names a loopback-bound agent also answers to (e.g. a name in /etc/hosts)',
  },
  {
    name: 'allowed-origins',
    key: 'allowedOrigins',
    kind: 'list',
    description:
      "comma-separated origins besides the agent's own allowed to act through a browser, e.g. https://ops.example.com",
  },
  {
    name: 'read-only',
    key: 'readOnly',
    kind: 'boolean',
    description: 'refuse every request that changes something',
    defaultText: 'false',
  },
  {
    name: 'insecure',
    key: 'insecure',
    kind: 'boolean',
    description: 'allow a non-loopback bind without a token',
    defaultText: 'false',
  },
  {
    name: 'data-dir',
    key: 'dataDir',
    kind: 'string',
    description: 'directory for the SQLite store and agent state',
    defaultText: './data',
  },
  {
    name: 'store',
    key: 'store',
    kind: 'string',
    description: 'SQLite file path or postgres://user:pass@host:port/db URL',
    defaultText: '<data-dir>/bosun.db',
  },
  {
    name: 'heartbeat',
    key: 'heartbeatMs',
    kind: 'duration',
    description: 'how often this node reports to the store',
    defaultText: '10s',
  },
  {
    name: 'lease',
    key: 'leaseMs',
    kind: 'duration',
    description: "how long a run's lease lasts unrenewed: failover time vs store outage tolerated",
    defaultText: '12s',
  },
  {
    name: 'log-level',
    key: 'logLevel',
    kind: 'enum',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
    description: 'log level',
    defaultText: 'info',
  },
  {
    name: 'log-format',
    key: 'logFormat',
    kind: 'enum',
    choices: ['auto', 'json', 'pretty'],
    description: 'log format (auto: readable on a terminal, JSON otherwise)',
    defaultText: 'auto',
  },
  {
    name: 'health',
    key: 'health',
    kind: 'thresholds',
    description:
      'health thresholds to change, e.g. cpuWarningPercent=80,diskCriticalPercent=97 (see docs/configuration.md)',
  },
  {
    name: 'slots',
    key: 'slots',
    kind: 'count',
    description: 'job runs this node executes at once',
    defaultText: '16',
  },
  {
    name: 'log-cap',
    key: 'logCapBytes',
    kind: 'bytes',
    description: 'output kept per run; beyond it the head and the tail are kept, e.g. 8MiB',
    defaultText: '8MiB',
  },
  {
    name: 'keep-runs',
    key: 'keepRuns',
    kind: 'count',
    description: 'finished runs kept per job',
    defaultText: '100',
  },
  {
    name: 'run-max-age',
    key: 'runMaxAgeMs',
    kind: 'duration',
    description: 'finished runs older than this are deleted, e.g. 30d, 12h',
    defaultText: '30d',
  },
  {
    name: 'log-budget',
    key: 'logBudgetBytes',
    kind: 'bytes',
    description: 'stored run logs of all jobs together; the oldest go first, e.g. 1GiB',
    defaultText: '1GiB',
  },
  {
    name: 'console-buffer',
    key: 'consoleBuffer',
    kind: 'count',
    description:
      'console result items kept per consumer; a consumer that falls behind is told how many it lost',
    defaultText: '1000',
  },
  {
    name: 'console-batch-size',
    key: 'consoleBatchSize',
    kind: 'count',
    description: 'most console items one pull_results returns',
    defaultText: '20',
  },
  {
    name: 'console-batch-window',
    key: 'consoleBatchWindowMs',
    kind: 'duration',
    description: 'how long pull_results waits for more items after the first',
    defaultText: '100ms',
  },
  {
    name: 'console-pull-wait',
    key: 'consolePullWaitMs',
    kind: 'duration',
    description: 'how long pull_results waits when there is nothing to return',
    defaultText: '2s',
  },
  {
    name: 'console-consumer-ttl',
    key: 'consoleConsumerTtlMs',
    kind: 'duration',
    description: 'a console consumer that has not pulled for this long is removed',
    defaultText: '5m',
  },
  {
    name: 'console-session-ttl',
    key: 'consoleSessionTtlMs',
    kind: 'duration',
    description: 'an unused console session is closed after this long (never while a job runs)',
    defaultText: '3h',
  },
  {
    name: 'console-exec-timeout',
    key: 'consoleExecTimeoutMs',
    kind: 'duration',
    description: "default execTimeout of the console's exec action",
    defaultText: '30s',
  },
  {
    name: 'console-job-timeout',
    key: 'consoleJobTimeoutMs',
    kind: 'duration',
    description: 'any console job is stopped after this long',
    defaultText: '1d',
  },
] satisfies SettingSpec[]);

export function envName(setting: SettingSpec): string {
  return 'BOSUN_' + setting.name.toUpperCase().replaceAll('-', '_');
}

/** Raw values as given by one source, keyed by setting name; `true` is a bare flag. */
export type RawSettings = Partial<
  Record<string, string | number | boolean | Record<string, unknown>>
>;

export interface LoadSources {
  /** Flags as parsed by the CLI, keyed by setting name (kebab-case), plus `config`. */
  flags: RawSettings;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Loads, validates and freezes the configuration. Throws AgentError('INVALID_CONFIG') naming the setting. */
export function loadConfig({ flags, env, cwd }: LoadSources): Config {
  const configFile = pick(flags.config, env.BOSUN_CONFIG);
  const file =
    configFile === undefined ? {} : readConfigFile(path.resolve(cwd, String(configFile)));
  const fromEnv: RawSettings = {};
  for (const s of SETTINGS) {
    const value = env[envName(s)];
    if (value !== undefined && value !== '') fromEnv[s.name] = value;
  }
  const merged: RawSettings = { ...file, ...fromEnv, ...stripUndefined(flags) };
  return resolve(merged, {
    cwd,
    configFile: configFile === undefined ? undefined : path.resolve(cwd, String(configFile)),
    sources: { file, env: fromEnv, flags },
  });
}

function readConfigFile(file: string): RawSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentError(
      'INVALID_CONFIG',
      `config: cannot read ${file}: ${(err as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    // Loaded only when a config file is given, so the common start never pays for the parser.
    const YAML = createRequire(import.meta.url)('yaml') as typeof YAMLModule;
    doc = YAML.parse(text);
  } catch (err) {
    throw new AgentError(
      'INVALID_CONFIG',
      `config: ${file} is not valid YAML: ${(err as Error).message}`,
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new AgentError(
      'INVALID_CONFIG',
      `config: ${file} must be a mapping of settings, e.g. "port: 8600"`,
    );
  }
  const known = new Set(SETTINGS.map((s) => s.name));
  const out: RawSettings = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!known.has(key)) {
      throw new AgentError(
        'INVALID_CONFIG',
        `config: unknown setting "${key}" in ${file}; known settings: ${[...known].join(', ')}`,
      );
    }
    if (
      value !== null &&
      typeof value === 'object' &&
      !(key === 'health' && !Array.isArray(value)) &&
      !(SETTINGS.find((s) => s.name === key)?.kind === 'list' && Array.isArray(value))
    ) {
      throw new AgentError(
        'INVALID_CONFIG',
        `config: setting "${key}" in ${file} must be a single value`,
      );
    }
    if (value !== null) out[key] = value as string | number | boolean | Record<string, unknown>;
  }
  return out;
}

interface ResolveContext {
  cwd: string;
  configFile: string | undefined;
  sources: { file: RawSettings; env: RawSettings; flags: RawSettings };
}

function resolve(raw: RawSettings, ctx: ResolveContext): Config {
  const where = (name: string): string => {
    if (ctx.sources.flags[name] !== undefined) return `--${name}`;
    const spec = SETTINGS.find((s) => s.name === name);
    if (spec && ctx.sources.env[name] !== undefined) return envName(spec);
    return `"${name}" in ${ctx.configFile ?? 'the config file'}`;
  };
  const fail = (name: string, problem: string): never => {
    throw new AgentError('INVALID_CONFIG', `${where(name)}: ${problem}`);
  };

  const bind = raw.bind === undefined ? '127.0.0.1' : String(raw.bind).trim();
  if (bind === '' || (isIP(bind) === 0 && !/^[a-z0-9.-]+$/i.test(bind))) {
    fail('bind', `"${bind}" is not an IP address or host name (e.g. 127.0.0.1, 0.0.0.0, ::1)`);
  }

  const port = raw.port === undefined ? 8600 : parsePort(raw.port);
  if (port === undefined) fail('port', `"${raw.port}" is not a port number between 0 and 65535`);

  const intervalMs = durationSetting('interval', raw.interval, 3000, 100, 3_600_000, fail);
  const heartbeatMs = durationSetting('heartbeat', raw.heartbeat, 10_000, 1000, 3_600_000, fail);
  const leaseMs = durationSetting(
    'lease',
    raw.lease,
    DEFAULT_LEASE_MS,
    MIN_LEASE_MS,
    600_000,
    fail,
  );

  let token: string | undefined;
  let tokenGenerated = false;
  if (raw.token === true || raw.token === 'true') {
    token = randomBytes(24).toString('base64url');
    tokenGenerated = true;
  } else if (raw.token !== undefined && raw.token !== false && raw.token !== 'false') {
    token = String(raw.token);
    if (token.length < 8) {
      fail('token', 'a token must be at least 8 characters (or give bare --token to generate one)');
    }
    if (/[\s]/.test(token)) fail('token', 'a token must not contain whitespace');
  }

  if (raw['token-file'] !== undefined && raw['token-file'] !== '') {
    // Like any setting, the later source wins (a flag over BOSUN_TOKEN or the file's token); both
    // in one source is a mistake.
    const rank = (name: string): number => {
      const { flags, env, file } = ctx.sources;
      return flags[name] !== undefined
        ? 3
        : env[name] !== undefined
          ? 2
          : file[name] !== undefined
            ? 1
            : 0;
    };
    if (token !== undefined && rank('token') === rank('token-file')) {
      fail('token-file', 'give either --token or --token-file, not both');
    }
    if (token === undefined || rank('token-file') > rank('token')) {
      token = tokenFromFile(path.resolve(ctx.cwd, String(raw['token-file'])), fail);
      tokenGenerated = false;
    }
  }

  const readOnly = booleanSetting('read-only', raw['read-only'], fail);
  const insecure = booleanSetting('insecure', raw.insecure, fail);
  const allowedHosts = listSetting(raw['allowed-hosts']).map((host) => {
    if (!/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/i.test(host)) {
      fail('allowed-hosts', `"${host}" is not a host name; give names without scheme or port`);
    }
    return host.toLowerCase();
  });
  const allowedOrigins = listSetting(raw['allowed-origins']).map((origin) => {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      // reported below
    }
    if (
      url === undefined ||
      !/^https?:$/.test(url.protocol) ||
      url.origin !== origin.replace(/\/$/, '')
    ) {
      fail(
        'allowed-origins',
        `"${origin}" is not an origin; use scheme://host[:port], e.g. https://ops.example.com`,
      );
    }
    return (url as URL).origin;
  });

  const dataDir = path.resolve(
    ctx.cwd,
    raw['data-dir'] === undefined ? 'data' : String(raw['data-dir']),
  );
  const storeRaw = raw.store === undefined ? undefined : String(raw.store).trim();
  let store: string;
  if (storeRaw === undefined || storeRaw === '') {
    store = path.join(dataDir, 'bosun.db');
  } else if (/^postgres(ql)?:\/\//i.test(storeRaw)) {
    try {
      new URL(storeRaw);
    } catch {
      fail('store', 'is not a valid postgres:// URL (postgres://user:password@host:5432/database)');
    }
    store = storeRaw;
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(storeRaw)) {
    fail('store', 'must be a SQLite file path or a postgres:// URL');
    store = '';
  } else {
    store = path.resolve(ctx.cwd, storeRaw);
  }

  const logLevel = enumSetting('log-level', raw['log-level'], 'info', fail) as LogLevel;
  const logFormat = enumSetting('log-format', raw['log-format'], 'auto', fail) as LogFormat;

  const health = thresholdsSetting(raw.health, fail);

  const slots = countSetting('slots', raw.slots, 16, 1, 4096, fail);
  const keepRuns = countSetting('keep-runs', raw['keep-runs'], 100, 1, 1_000_000, fail);
  const runMaxAgeMs = durationSetting(
    'run-max-age',
    raw['run-max-age'],
    30 * DAY_MS,
    60_000,
    3650 * DAY_MS,
    fail,
  );
  const logCapBytes = bytesSetting('log-cap', raw['log-cap'], 8 * MIB, 4096, 1024 * MIB, fail);
  const logBudgetBytes = bytesSetting(
    'log-budget',
    raw['log-budget'],
    1024 * MIB,
    MIB,
    2 ** 50,
    fail,
  );

  const consoleBuffer = countSetting(
    'console-buffer',
    raw['console-buffer'],
    1000,
    1,
    1_000_000,
    fail,
  );
  const consoleBatchSize = countSetting(
    'console-batch-size',
    raw['console-batch-size'],
    20,
    1,
    10_000,
    fail,
  );
  const consoleBatchWindowMs = durationSetting(
    'console-batch-window',
    raw['console-batch-window'],
    100,
    0,
    60_000,
    fail,
  );
  const consolePullWaitMs = durationSetting(
    'console-pull-wait',
    raw['console-pull-wait'],
    2000,
    0,
    300_000,
    fail,
  );
  const consoleConsumerTtlMs = durationSetting(
    'console-consumer-ttl',
    raw['console-consumer-ttl'],
    5 * 60_000,
    1000,
    30 * DAY_MS,
    fail,
  );
  const consoleSessionTtlMs = durationSetting(
    'console-session-ttl',
    raw['console-session-ttl'],
    3 * 3_600_000,
    1000,
    365 * DAY_MS,
    fail,
  );
  const consoleExecTimeoutMs = durationSetting(
    'console-exec-timeout',
    raw['console-exec-timeout'],
    30_000,
    1,
    DAY_MS,
    fail,
  );
  const consoleJobTimeoutMs = durationSetting(
    'console-job-timeout',
    raw['console-job-timeout'],
    DAY_MS,
    1000,
    365 * DAY_MS,
    fail,
  );

  if (!insecure && token === undefined && !isLoopback(bind)) {
    throw new AgentError(
      'INVALID_CONFIG',
      `refusing to listen on ${bind} without a token: anyone who can reach it could read this host. ` +
        'Add --token (bare generates one), bind to 127.0.0.1, or pass --insecure if a proxy in front handles auth.',
    );
  }

  return Object.freeze({
    bind,
    port: port as number,
    intervalMs,
    token,
    tokenGenerated,
    readOnly,
    insecure,
    allowedHosts: Object.freeze(allowedHosts),
    allowedOrigins: Object.freeze(allowedOrigins),
    dataDir,
    store,
    heartbeatMs,
    leaseMs,
    logLevel,
    logFormat,
    health,
    slots,
    logCapBytes,
    keepRuns,
    runMaxAgeMs,
    logBudgetBytes,
    consoleBuffer,
    consoleBatchSize,
    consoleBatchWindowMs,
    consolePullWaitMs,
    consoleConsumerTtlMs,
    consoleSessionTtlMs,
    consoleExecTimeoutMs,
    consoleJobTimeoutMs,
    configFile: ctx.configFile,
  });
}

type Fail = (name: string, problem: string) => never;

function durationSetting(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  fail: Fail,
): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === undefined) {
    fail(
      name,
      `"${value}" is not a duration; use e.g. 500ms, 2s, 1m (a bare number means seconds)`,
    );
  }
  if ((ms as number) < min || (ms as number) > max) {
    fail(
      name,
      `${value} is out of range; allowed ${formatDuration(min)} to ${formatDuration(max)}`,
    );
  }
  return ms as number;
}

/** A comma-separated string (flag, env) or a YAML list of strings. */
function listSetting(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function tokenFromFile(file: string, fail: Fail): string {
  let token = '';
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    fail('token-file', `cannot read ${file}: ${(err as Error).message}`);
  }
  if (token.length < 8) fail('token-file', `${file} must hold a token of at least 8 characters`);
  if (/\s/.test(token)) fail('token-file', `${file} must hold one token without whitespace`);
  return token;
}

function booleanSetting(name: string, value: unknown, fail: Fail): boolean {
  if (
    value === undefined ||
    value === false ||
    value === 'false' ||
    value === '0' ||
    value === 'no'
  ) {
    return false;
  }
  if (value === true || value === 'true' || value === '1' || value === 'yes') return true;
  return fail(name, `"${value}" is not a boolean; use true or false`);
}

function enumSetting(name: string, value: unknown, fallback: string, fail: Fail): string {
  if (value === undefined) return fallback;
  const choices = SETTINGS.find((s) => s.name === name)?.choices ?? [];
  const v = String(value).toLowerCase();
  if (!choices.includes(v)) fail(name, `"${value}" is not one of ${choices.join(', ')}`);
  return v;
}

/** `cpuWarningPercent=80,diskCriticalPercent=97` from a flag or env, or a YAML mapping of the same. */
function thresholdsSetting(value: unknown, fail: Fail): Readonly<Partial<HealthThresholds>> {
  if (value === undefined || value === '') return Object.freeze({});
  const entries: Array<[string, unknown]> =
    typeof value === 'object' && value !== null
      ? Object.entries(value)
      : String(value)
          .split(',')
          .filter((part) => part.trim() !== '')
          .map((part) => {
            const eq = part.indexOf('=');
            if (eq === -1) {
              fail('health', `"${part.trim()}" is not name=value, e.g. cpuWarningPercent=80`);
            }
            return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
          });
  const out: Partial<Record<keyof HealthThresholds, number>> = {};
  for (const [name, raw] of entries) {
    if (!(name in DEFAULT_THRESHOLDS)) {
      fail(
        'health',
        `unknown threshold "${name}"; known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}`,
      );
    }
    const n = typeof raw === 'number' ? raw : Number(String(raw));
    if (String(raw).trim() === '' || !Number.isFinite(n) || n < 0) {
      fail('health', `${name} must be a number, 0 or more; got "${String(raw)}"`);
    }
    out[name as keyof HealthThresholds] = n;
  }
  return Object.freeze(out);
}

const DAY_MS = 86_400_000;
const MIB = 1 << 20;

function countSetting(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  fail: (name: string, problem: string) => never,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(name, `"${String(value)}" is not a whole number between ${min} and ${max}`);
  }
  return n;
}

function bytesSetting(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  fail: (name: string, problem: string) => never,
): number {
  if (value === undefined) return fallback;
  const n = parseBytes(value);
  if (n === undefined) fail(name, `"${String(value)}" is not a size; use e.g. 512KiB, 8MiB, 1GiB`);
  if ((n as number) < min || (n as number) > max) {
    fail(name, `${String(value)} is out of range (${min} bytes to ${max} bytes)`);
  }
  return n as number;
}

/** Parses 4096, 512k, 512KiB, 8MB, 8MiB, 1G…; the units are binary either way, as for disks in `df -h`. */
export function parseBytes(value: unknown): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i.exec(
    String(value),
  );
  if (!m) return undefined;
  const power = { '': 0, b: 0, k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').toLowerCase().charAt(0)] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** Parses 500ms, 2s, 1.5m, 1h, 30d, or a bare number of seconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(String(value));
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor =
    unit === 'ms'
      ? 1
      : unit === 's'
        ? 1000
        : unit === 'm'
          ? 60_000
          : unit === 'h'
            ? 3_600_000
            : DAY_MS;
  return Math.round(n * factor);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function parsePort(value: unknown): number | undefined {
  const s = String(value).trim();
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(host);
}

function pick<T>(...values: (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

function stripUndefined(raw: RawSettings): RawSettings {
  return Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => v !== undefined && k !== 'config'),
  );
}

/** The configuration as safe to show: secrets masked. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    token: config.token === undefined ? undefined : '***',
    store: maskUrl(config.store),
  };
}
