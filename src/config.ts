// The agent's configuration, loaded from defaults < bosun.yaml < BOSUN_* env < flags, validated once
// with messages that name the setting and where it came from, then frozen. The settings themselves
// are one table (settings/settings.ts). Only main.ts hands this module process.env and argv.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AgentError } from './errors.ts';
import { maskUrl } from './mask-url.ts';
import { parseSetting, parseToken, readTokenFile, type Fail } from './settings/setting-parsers.ts';
import { readSettingsFile, type RawSettings } from './settings/settings-file.ts';
import { envName, SETTINGS, type Config, type SettingSpec } from './settings/settings.ts';

export type { Config, LogFormat, LogLevel, SettingSpec } from './settings/settings.ts';
export type { RawSettings } from './settings/settings-file.ts';
export { envName, SETTINGS };

/** The YAML file read when neither --config nor BOSUN_CONFIG names one, if it exists. */
export const DEFAULT_CONFIG_FILE = '/etc/bosun/bosun.yaml';

export interface LoadSources {
  /** Flags as parsed by the CLI, keyed by setting name (kebab-case), plus `config`. */
  flags: RawSettings;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Read when no file is named and it exists. @default DEFAULT_CONFIG_FILE */
  defaultConfigFile?: string;
}

interface Sources {
  file: RawSettings;
  env: RawSettings;
  flags: RawSettings;
}

/** Loads, validates and freezes the configuration. Throws AgentError('INVALID_CONFIG') naming the setting. */
export function loadConfig({ flags, env, cwd, defaultConfigFile }: LoadSources): Config {
  const configFile = configFileOf(flags.config, env.BOSUN_CONFIG, cwd, defaultConfigFile);
  const sources: Sources = {
    file: configFile === undefined ? {} : readSettingsFile(configFile),
    env: {},
    flags: Object.fromEntries(
      Object.entries(flags).filter(([k, v]) => v !== undefined && k !== 'config'),
    ),
  };
  for (const s of SETTINGS) {
    const value = env[envName(s)];
    if (value !== undefined && value !== '') sources.env[s.name] = value;
  }
  return resolve({ ...sources.file, ...sources.env, ...sources.flags }, sources, cwd, configFile);
}

/**
 * The YAML file to read: --config, else BOSUN_CONFIG, else /etc/bosun/bosun.yaml when it exists (an
 * installed agent finds its settings with no flag). An empty value, `BOSUN_CONFIG=` or `--config ''`,
 * reads no file at all: tests and a checkout started beside an installed agent turn the default off so.
 */
function configFileOf(
  flag: unknown,
  env: string | undefined,
  cwd: string,
  fallback = DEFAULT_CONFIG_FILE,
): string | undefined {
  const given = flag ?? env;
  if (given !== undefined) return given === '' ? undefined : path.resolve(cwd, String(given));
  return existsSync(fallback) ? fallback : undefined;
}

function resolve(
  raw: RawSettings,
  sources: Sources,
  cwd: string,
  configFile: string | undefined,
): Config {
  // The source that gave a setting, as the operator wrote it: --port, BOSUN_PORT, or the file's key.
  const where = (spec: SettingSpec): string => {
    if (sources.flags[spec.name] !== undefined) return `--${spec.name}`;
    if (sources.env[spec.name] !== undefined) return envName(spec);
    return `"${spec.name}" in ${configFile ?? 'the config file'}`;
  };
  const failFor =
    (spec: SettingSpec): Fail =>
    (problem) => {
      throw new AgentError('INVALID_CONFIG', `${where(spec)}: ${problem}`);
    };

  const values: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    if (spec.kind === 'token' || spec.kind === 'token-file') continue;
    values[spec.key] = parseSetting(spec, raw[spec.name], { cwd, fail: failFor(spec) });
  }
  values.store ??= path.join(values.dataDir as string, 'bosun.db');
  const { token, tokenGenerated } = resolveToken(raw, sources, cwd, failFor);
  const config = { ...values, token, tokenGenerated, configFile } as Config;

  if (!config.insecure && token === undefined && !isLoopback(config.bind)) {
    throw new AgentError(
      'INVALID_CONFIG',
      `refusing to listen on ${config.bind} without a token: anyone who can reach it could read this host. ` +
        'Add --token (bare generates one), bind to 127.0.0.1, or pass --insecure if a proxy in front handles auth.',
    );
  }
  return Object.freeze(config);
}

/** --token and --token-file fill one field: like any setting the later source wins; both in one source is a mistake. */
function resolveToken(
  raw: RawSettings,
  sources: Sources,
  cwd: string,
  failFor: (spec: SettingSpec) => Fail,
): { token: string | undefined; tokenGenerated: boolean } {
  const [tokenSpec, fileSpec] = (['token', 'token-file'] as const).map(
    (kind) => SETTINGS.find((s) => s.kind === kind) as SettingSpec,
  ) as [SettingSpec, SettingSpec];
  const given = parseToken(raw.token, failFor(tokenSpec));
  const file = raw['token-file'];
  if (file === undefined || file === '') {
    return { token: given?.token, tokenGenerated: given?.generated ?? false };
  }
  const rank = (name: string): number =>
    sources.flags[name] !== undefined
      ? 3
      : sources.env[name] !== undefined
        ? 2
        : sources.file[name] !== undefined
          ? 1
          : 0;
  if (given !== undefined && rank('token') === rank('token-file')) {
    failFor(fileSpec)('give either --token or --token-file, not both');
  }
  if (given !== undefined && rank('token') > rank('token-file')) {
    return { token: given.token, tokenGenerated: given.generated };
  }
  const token = readTokenFile(path.resolve(cwd, String(file)), failFor(fileSpec));
  return { token, tokenGenerated: false };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/i.test(host);
}

/** The configuration as safe to show: secrets masked. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    token: config.token === undefined ? undefined : '***',
    store: maskUrl(config.store),
  };
}
