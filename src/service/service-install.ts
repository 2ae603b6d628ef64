// `bosun service install|uninstall`: checks what the operator asked for (the user, the token file, the
// flags for `serve`, the settings file), writes or removes the systemd unit (systemd-unit.ts), and has
// systemd read it again. What it needs from the machine comes in as `ServiceHost`, so tests run it on
// a temporary directory.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig, SETTINGS, type RawSettings } from '../config.ts';
import { AgentError } from '../errors.ts';
import { planTunedStart } from '../runtime-tuning.ts';
import { DEFAULT_TOKEN_FILE, DEFAULT_UNIT_DIR } from './service-paths.ts';
import { renderUnit } from './systemd-unit.ts';

/** NODE_COMPILE_CACHE in the unit: the service's CacheDirectory (%C is /var/cache). */
const COMPILE_CACHE_DIR = '%C/bosun';

export interface ServiceOptions {
  /** The unit's name without `.service`. @default 'bosun' */
  name: string;
  /** Where unit files go. @default DEFAULT_UNIT_DIR */
  unitDir: string;
  user?: string;
  tokenFile?: string;
  configFile?: string;
  /** Flags for `bosun serve`, given after `--`. */
  serveArgs: readonly string[];
}

/** What install needs from the machine it runs on. */
export interface ServiceHost {
  version: string;
  /** The Node.js binary running this command (24 or newer): the unit runs the agent on it. */
  nodePath: string;
  mainPath: string;
  docsPath?: string;
  /** Whether this machine runs systemd (/run/systemd/system exists). */
  systemdRunning: boolean;
  userExists(name: string): boolean;
  /** Runs systemctl; returns its exit status and output. */
  systemctl(args: readonly string[]): { status: number | null; output: string };
  print(line: string): void;
  /** Where the default token and settings files are looked for (tests point them elsewhere). */
  defaultTokenFile?: string;
  defaultConfigFile?: string;
}

export interface InstallPlan {
  unitPath: string;
  unit: string;
}

/** Checks the options and renders the unit, writing nothing. */
export function planInstall(options: ServiceOptions, host: ServiceHost): InstallPlan {
  const name = unitName(options.name);
  if (options.user !== undefined) {
    if (!/^[a-z_][a-z0-9_-]{0,31}\$?$/i.test(options.user)) {
      invalid(`--user: "${options.user}" is not a user name`);
    }
    if (!host.userExists(options.user)) {
      invalid(
        `--user: there is no user "${options.user}"; create it first, e.g. ` +
          `useradd --system --home-dir /var/lib/bosun --shell /usr/sbin/nologin ${options.user}`,
      );
    }
  }
  const tokenFile = tokenFileOf(options, host);
  const configFile =
    options.configFile === undefined ? undefined : path.resolve(options.configFile);
  const serveFlags = parseServeArgs(options.serveArgs);
  // The flags are checked now as `serve` will check them, with the settings file the agent will read
  // and a stand-in for the token it gets from the credential: a mistake shows here, not in the journal.
  try {
    loadConfig({
      flags: {
        ...serveFlags,
        ...(configFile === undefined ? {} : { config: configFile }),
        ...(tokenFile === undefined ? {} : { token: 'checked-at-install-'.padEnd(32, 'x') }),
      },
      env: {},
      cwd: '/',
      ...(host.defaultConfigFile === undefined
        ? {}
        : { defaultConfigFile: host.defaultConfigFile }),
    });
  } catch (err) {
    if (err instanceof AgentError) {
      const hint =
        tokenFile === undefined && /token/.test(err.message)
          ? ` (for the unit: bosun service install --token-file FILE, default ${DEFAULT_TOKEN_FILE})`
          : '';
      invalid(`the agent would not start: ${err.message}${hint}`);
    }
    throw err;
  }
  const tuned = planTunedStart({
    compileCacheDir: COMPILE_CACHE_DIR,
    execPath: host.nodePath,
    execArgv: [],
    argv: [host.nodePath, host.mainPath, 'serve'],
    env: {},
  });
  const nodeFlags =
    tuned === undefined ? [] : tuned.args.slice(1, tuned.args.indexOf(host.mainPath));
  const unit = renderUnit({
    version: host.version,
    nodePath: host.nodePath,
    nodeFlags,
    mainPath: host.mainPath,
    serveFlags: options.serveArgs,
    env: tuned?.env ?? {},
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(tokenFile === undefined ? {} : { tokenFile }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(host.docsPath === undefined ? {} : { docsPath: host.docsPath }),
  });
  return { unitPath: path.join(options.unitDir, `${name}.service`), unit };
}

export function installService(options: ServiceOptions, host: ServiceHost): InstallPlan {
  const plan = planInstall(options, host);
  const existed = existsSync(plan.unitPath);
  try {
    writeFileSync(plan.unitPath, plan.unit, { mode: 0o644 });
  } catch (err) {
    throw fileError('write', plan.unitPath, err);
  }
  const name = unitName(options.name);
  host.print(`${existed ? 'replaced' : 'wrote'} ${plan.unitPath}`);
  if (reloads(options, host)) {
    systemctl(host, ['daemon-reload']);
    host.print(`start it now and at boot:  systemctl enable --now ${name}`);
    if (existed) host.print(`a running agent keeps the old unit until:  systemctl restart ${name}`);
  } else {
    host.print(`systemd was not told (not the system's unit directory, or no systemd running)`);
  }
  host.print(`its logs:  journalctl -u ${name} -f`);
  return plan;
}

export function uninstallService(
  options: Pick<ServiceOptions, 'name' | 'unitDir'>,
  host: ServiceHost,
): void {
  const name = unitName(options.name);
  const unitPath = path.join(options.unitDir, `${name}.service`);
  if (!existsSync(unitPath)) {
    throw new AgentError('NOT_FOUND', `no unit ${unitPath}: nothing to uninstall`);
  }
  if (!readFileSync(unitPath, 'utf8').includes('bosun service install')) {
    invalid(`${unitPath} was not written by bosun service install; remove it yourself`);
  }
  const tell = reloads(options, host);
  // Stopped first: once its file is gone systemd could no longer stop it by the unit's rules.
  if (tell) systemctl(host, ['disable', '--now', name], { allowFailure: true });
  try {
    rmSync(unitPath);
  } catch (err) {
    throw fileError('remove', unitPath, err);
  }
  host.print(`removed ${unitPath}`);
  if (tell) systemctl(host, ['daemon-reload']);
  host.print(
    "kept the agent's state in /var/lib/bosun (/var/lib/private/bosun for a user systemd made); remove it to forget every job and run",
  );
}

/**
 * `serve` flags as settings, by name: only the settings table's flags, each with a value unless it is
 * a boolean. No secret goes on the unit's command line, which any user can read.
 */
export function parseServeArgs(args: readonly string[]): RawSettings {
  const flags: RawSettings = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (match === null) {
      invalid(`"${arg}" is not a flag of bosun serve (give them as --name value)`);
    }
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    const spec = SETTINGS.find((s) => s.name === name);
    if (spec === undefined) invalid(`--${name} is not a flag of bosun serve (bosun serve --help)`);
    if (spec.kind === 'token' || spec.kind === 'token-file') {
      invalid(
        `--${name}: the unit takes the token from a file as a systemd credential; ` +
          `give bosun service install --token-file FILE (default ${DEFAULT_TOKEN_FILE})`,
      );
    }
    if (spec.name === 'data-dir') {
      invalid("--data-dir: the unit keeps the agent's state in /var/lib/bosun (StateDirectory)");
    }
    let value: string | boolean;
    if (inline !== undefined) value = inline;
    else if (spec.kind === 'boolean') value = true;
    else {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) invalid(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (spec.kind === 'store' && typeof value === 'string' && hasPassword(value)) {
      invalid(
        `--store: its password would be readable by every user in the unit file; ` +
          `put "store: ${value.replace(/:[^:@/]*@/, ':***@')}" in ${DEFAULT_CONFIG_FILE} (mode 0640) instead`,
      );
    }
    flags[name] = value;
  }
  return flags;
}

function tokenFileOf(options: ServiceOptions, host: ServiceHost): string | undefined {
  const fallback = host.defaultTokenFile ?? DEFAULT_TOKEN_FILE;
  const file = options.tokenFile === undefined ? undefined : path.resolve(options.tokenFile);
  if (file === undefined) return existsSync(fallback) ? fallback : undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fileError('read', file, err);
  }
  if (text.trim() === '') invalid(`--token-file: ${file} is empty; write the token in it`);
  return file;
}

function unitName(name: string): string {
  if (!/^[\w@:.-]{1,200}$/.test(name) || name.endsWith('.service')) {
    invalid(`--name: "${name}" is not a unit name (letters, digits, _ @ : . -, without .service)`);
  }
  return name;
}

/** Only a unit in the system's own directory concerns the running systemd. */
function reloads(options: Pick<ServiceOptions, 'unitDir'>, host: ServiceHost): boolean {
  return host.systemdRunning && path.resolve(options.unitDir) === DEFAULT_UNIT_DIR;
}

function systemctl(
  host: ServiceHost,
  args: readonly string[],
  opts: { allowFailure?: boolean } = {},
): void {
  const { status, output } = host.systemctl(args);
  if (status !== 0 && !opts.allowFailure) {
    throw new AgentError('INTERNAL', `systemctl ${args.join(' ')} failed: ${output.trim()}`);
  }
}

function hasPassword(store: string): boolean {
  try {
    return new URL(store).password !== '';
  } catch {
    return false;
  }
}

function fileError(verb: string, file: string, err: unknown): AgentError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new AgentError(
      'FORBIDDEN',
      `cannot ${verb} ${file}: permission denied; run it as root (sudo bosun service …)`,
      { cause: err },
    );
  }
  return new AgentError('INVALID_INPUT', `cannot ${verb} ${file}: ${(err as Error).message}`, {
    cause: err,
  });
}

function invalid(message: string): never {
  throw new AgentError('INVALID_INPUT', message);
}
