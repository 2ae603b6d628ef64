// The agent's settings as one table: each row names a setting once (flag, env and YAML key derive from
// its name), holds its typed default and range, and says what it means. Defaults, --help, parsing and
// the settings table of docs/configuration.md are all read from here (scripts/config-doc.ts).
import type { HealthThresholds } from '../monitor/health.ts';
import { DEFAULT_LEASE_MS, MIN_LEASE_MS } from '../jobs/lease-timing.ts';
import { formatBytes, formatDuration } from '../units/parse.ts';

export type LogFormat = 'auto' | 'json' | 'pretty';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * The loaded configuration. A field's meaning, default and range are in its row of SETTINGS (the row
 * whose `key` it is); times are ms, sizes bytes, paths absolute.
 */
export interface Config {
  readonly bind: string;
  readonly port: number;
  readonly intervalMs: number;
  /** undefined = no auth (only allowed on loopback unless insecure); from --token or --token-file. */
  readonly token: string | undefined;
  /** True when the token was generated at start (bare --token): it is printed once. */
  readonly tokenGenerated: boolean;
  readonly readOnly: boolean;
  readonly insecure: boolean;
  /** Lower-cased host names. */
  readonly allowedHosts: readonly string[];
  /** Origins as URL.origin writes them (no trailing slash). */
  readonly allowedOrigins: readonly string[];
  readonly dataDir: string;
  /** An absolute SQLite file path or a postgres:// URL. */
  readonly store: string;
  readonly heartbeatMs: number;
  readonly leaseMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Only the thresholds given; the rest are monitor/health.ts DEFAULT_THRESHOLDS. */
  readonly health: Readonly<Partial<HealthThresholds>>;
  readonly slots: number;
  /** This node's labels (SeaTunnel's tags); undefined keeps the ones stored at a re-registration. */
  readonly labels: Readonly<Record<string, string>> | undefined;
  /** The Arthas-compatible listener's port; undefined: no such listener. */
  readonly arthasPort: number | undefined;
  /** A built Arthas web console the Arthas listener serves, absolute; undefined: none. */
  readonly arthasUi: string | undefined;
  readonly logCapBytes: number;
  readonly keepRuns: number;
  readonly runMaxAgeMs: number;
  readonly logBudgetBytes: number;
  readonly consoleBuffer: number;
  readonly consoleBatchSize: number;
  readonly consoleBatchWindowMs: number;
  readonly consolePullWaitMs: number;
  readonly consoleConsumerTtlMs: number;
  readonly consoleSessionTtlMs: number;
  readonly consoleExecTimeoutMs: number;
  readonly consoleJobTimeoutMs: number;
  /** The YAML file these settings were read from, if any. */
  readonly configFile: string | undefined;
}

/** How a setting's text is read and checked (setting-parsers.ts). */
export type Kind =
  | 'host'
  | 'port'
  | 'duration'
  | 'count'
  | 'bytes'
  | 'boolean'
  | 'enum'
  | 'token'
  | 'token-file'
  | 'hosts'
  | 'origins'
  | 'dir'
  | 'path'
  | 'labels'
  | 'store'
  | 'thresholds';

interface SettingRow<K extends keyof Config> {
  /** kebab-case: the flag is --name, the env BOSUN_NAME, the YAML key name. */
  readonly name: string;
  readonly key: K;
  readonly kind: Kind;
  /** One line for --help and docs/configuration.md. */
  readonly description: string;
  /** The value when no source gives one; none for settings that are empty or derived when unset. */
  readonly default?: Config[K];
  /** The default as shown, formatted from `default` unless given (a derived default). */
  readonly defaultText?: string;
  /** Bounds of a duration (ms), count or size (bytes), inclusive. */
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** The value's placeholder in docs/configuration.md (`--interval D`); by kind unless given. */
  readonly arg?: string;
  /** What the flag given bare (no value after it) stands for; without it the flag needs a value. */
  readonly bare?: string;
}

/** One row per setting; `key` ties the row's default to its Config field's type. */
export type SettingSpec = { [K in keyof Config]: SettingRow<K> }[keyof Config];

const DAY_MS = 86_400_000;
const MIB = 1 << 20;

const ROWS: readonly SettingSpec[] = [
  {
    name: 'bind',
    key: 'bind',
    kind: 'host',
    description: 'address to listen on',
    default: '127.0.0.1',
    arg: 'ADDR',
  },
  {
    name: 'port',
    key: 'port',
    kind: 'port',
    description: 'TCP port; 0 picks a free one (the log says which)',
    default: 8600,
  },
  {
    name: 'interval',
    key: 'intervalMs',
    kind: 'duration',
    description: 'host sampling interval, e.g. 500ms, 2s, 1m; a bare number is seconds',
    default: 3000,
    min: 100,
    max: 3_600_000,
  },
  {
    name: 'token',
    key: 'token',
    kind: 'token',
    description:
      'require this access token; bare --token (or true) generates one and prints it once',
  },
  {
    name: 'token-file',
    key: 'token',
    kind: 'token-file',
    description:
      'read the access token from this file (one line), which keeps it out of process listings; not together with --token',
  },
  {
    name: 'allowed-hosts',
    key: 'allowedHosts',
    kind: 'hosts',
    description:
      'comma-separated Host names a loopback-bound agent also answers to, e.g. a name in /etc/hosts (a YAML list in the file); other names get 403 (DNS rebinding)',
  },
  {
    name: 'allowed-origins',
    key: 'allowedOrigins',
    kind: 'origins',
    description:
      "comma-separated origins besides the agent's own that may change state or subscribe from a browser, e.g. https://ops.example.com (docs/security.md)",
  },
  {
    name: 'read-only',
    key: 'readOnly',
    kind: 'boolean',
    description: 'refuse every request that changes something',
    default: false,
  },
  {
    name: 'insecure',
    key: 'insecure',
    kind: 'boolean',
    description:
      'allow a non-loopback bind without a token (only behind a proxy that authenticates)',
    default: false,
  },
  {
    name: 'data-dir',
    key: 'dataDir',
    kind: 'dir',
    description: 'directory for the SQLite store, the node id and other agent state',
    default: './data',
    arg: 'DIR',
  },
  {
    name: 'store',
    key: 'store',
    kind: 'store',
    description: 'a SQLite file path, or postgres://user:password@host:5432/db for a cluster',
    defaultText: '<data-dir>/bosun.db',
    arg: 'S',
  },
  {
    name: 'heartbeat',
    key: 'heartbeatMs',
    kind: 'duration',
    description: 'how often this node reports itself and its latest sample to the store',
    default: 10_000,
    min: 1000,
    max: 3_600_000,
  },
  {
    name: 'lease',
    key: 'leaseMs',
    kind: 'duration',
    description:
      "how long a run's lease lasts unrenewed: a dead node's runs fail over within about this; store outages of half of it are ridden out (docs/cluster.md)",
    default: DEFAULT_LEASE_MS,
    min: MIN_LEASE_MS,
    max: 600_000,
  },
  {
    name: 'log-level',
    key: 'logLevel',
    kind: 'enum',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
    description: 'log level',
    default: 'info',
    arg: 'L',
  },
  {
    name: 'log-format',
    key: 'logFormat',
    kind: 'enum',
    choices: ['auto', 'json', 'pretty'],
    description: 'log format; auto: readable on a terminal, JSON lines otherwise',
    default: 'auto',
    arg: 'F',
  },
  {
    name: 'health',
    key: 'health',
    kind: 'thresholds',
    description:
      "health score thresholds to change, e.g. cpuWarningPercent=80,diskCriticalPercent=97 (a mapping in the file); the others keep vminfo's values (docs/configuration.md)",
    arg: 'T',
  },
  {
    name: 'slots',
    key: 'slots',
    kind: 'count',
    description: 'job runs this node executes at once; further due runs wait in the queue',
    default: 16,
    min: 1,
    max: 4096,
  },
  {
    name: 'labels',
    key: 'labels',
    kind: 'labels',
    description:
      "this node's labels, e.g. zone=a,role=etl (a mapping in the file): SeaTunnel's tag filters match them; unset keeps the stored ones",
    arg: 'K=V,…',
  },
  {
    name: 'arthas-port',
    key: 'arthasPort',
    kind: 'port',
    description:
      "also listen on this port for Arthas's clients (its /api, terminal /ws and /arthas-output/); bare, Arthas's 8563; same bind and token rules",
    arg: '[N]',
    bare: '8563',
  },
  {
    name: 'arthas-ui',
    key: 'arthasUi',
    kind: 'path',
    description:
      'a built Arthas web console (its dist directory) for the Arthas listener to serve, same-origin; bosun ships none',
    arg: 'DIR',
  },
  {
    name: 'log-cap',
    key: 'logCapBytes',
    kind: 'bytes',
    description:
      'output stored per run, e.g. 8MiB; beyond it the head and the tail are kept and the cut is marked',
    default: 8 * MIB,
    min: 4096,
    max: 1024 * MIB,
  },
  {
    name: 'keep-runs',
    key: 'keepRuns',
    kind: 'count',
    description: "finished runs kept per job (a job's keepRuns overrides it)",
    default: 100,
    min: 1,
    max: 1_000_000,
  },
  {
    name: 'run-max-age',
    key: 'runMaxAgeMs',
    kind: 'duration',
    description: 'finished runs older than this are deleted, e.g. 12h, 30d',
    default: 30 * DAY_MS,
    min: 60_000,
    max: 3650 * DAY_MS,
  },
  {
    name: 'log-budget',
    key: 'logBudgetBytes',
    kind: 'bytes',
    description: 'stored run logs of all jobs together, e.g. 1GiB; the oldest logs go first',
    default: 1024 * MIB,
    min: MIB,
    max: 2 ** 50,
  },
  {
    name: 'console-buffer',
    key: 'consoleBuffer',
    kind: 'count',
    description:
      'console result items kept per consumer; a consumer that falls behind is told how many it lost (docs/console.md)',
    default: 1000,
    min: 1,
    max: 1_000_000,
  },
  {
    name: 'console-batch-size',
    key: 'consoleBatchSize',
    kind: 'count',
    description: 'most console items one pull_results returns',
    default: 20,
    min: 1,
    max: 10_000,
  },
  {
    name: 'console-batch-window',
    key: 'consoleBatchWindowMs',
    kind: 'duration',
    description: 'how long pull_results waits for more items after the first',
    default: 100,
    min: 0,
    max: 60_000,
  },
  {
    name: 'console-pull-wait',
    key: 'consolePullWaitMs',
    kind: 'duration',
    description: 'how long pull_results waits when there is nothing to return',
    default: 2000,
    min: 0,
    max: 300_000,
  },
  {
    name: 'console-consumer-ttl',
    key: 'consoleConsumerTtlMs',
    kind: 'duration',
    description: 'a console consumer that has not pulled for this long is removed',
    default: 5 * 60_000,
    min: 1000,
    max: 30 * DAY_MS,
  },
  {
    name: 'console-session-ttl',
    key: 'consoleSessionTtlMs',
    kind: 'duration',
    description: 'an unused console session is closed after this long (never while a job runs)',
    default: 3 * 3_600_000,
    min: 1000,
    max: 365 * DAY_MS,
  },
  {
    name: 'console-exec-timeout',
    key: 'consoleExecTimeoutMs',
    kind: 'duration',
    description: "default execTimeout of the console's exec action",
    default: 30_000,
    min: 1,
    max: DAY_MS,
  },
  {
    name: 'console-job-timeout',
    key: 'consoleJobTimeoutMs',
    kind: 'duration',
    description: 'any console job is stopped after this long',
    default: DAY_MS,
    min: 1000,
    max: 365 * DAY_MS,
  },
];

/** A value of this setting written as an operator would write it: 3s, 8MiB, 100. */
export function formatSettingValue(spec: SettingSpec, value: unknown): string {
  if (spec.kind === 'duration') return formatDuration(value as number);
  if (spec.kind === 'bytes') return formatBytes(value as number);
  return String(value);
}

/** Every setting, `defaultText` filled in from the default (cli/program.ts shows it in --help). */
export const SETTINGS: readonly SettingSpec[] = Object.freeze(
  ROWS.map((row) =>
    Object.freeze({
      ...row,
      defaultText:
        row.defaultText ??
        (row.default === undefined ? undefined : formatSettingValue(row, row.default)),
    }),
  ),
);

export function envName(setting: SettingSpec): string {
  return 'BOSUN_' + setting.name.toUpperCase().replaceAll('-', '_');
}
