// The systemd unit `bosun service install` writes: what starts the agent (with its runtime tuning on the
// command line and in the environment, so it needs no re-exec), where its state lives, how it restarts
// and stops, and the sandbox it runs in. Pure: the caller decides the paths and writes the file.
import { EXIT } from '../cli/exit-codes.ts';

export interface UnitSpec {
  /** The bosun version writing the unit, for its header. */
  version: string;
  /** The Node.js binary (24 or newer) that runs the agent. */
  nodePath: string;
  /** Node's own flags, before the script (the semi-space cap of runtime-tuning.ts). */
  nodeFlags: readonly string[];
  /** The agent's entry script (dist/main.js in the package, src/main.ts in a checkout). */
  mainPath: string;
  /** Flags after `serve`, as the operator gave them to `service install`. */
  serveFlags: readonly string[];
  /** Environment the agent needs set at start (runtime-tuning.ts), besides the unit's own. */
  env: Readonly<Record<string, string>>;
  /** Run as this existing user; undefined: a user systemd makes for the service (DynamicUser). */
  user?: string;
  /** A file holding the access token, handed over as a systemd credential (never on the command line). */
  tokenFile?: string;
  /** A YAML settings file other than /etc/bosun/bosun.yaml (which the agent reads when it exists). */
  configFile?: string;
  /** Where the package's docs are, for `Documentation=`. */
  docsPath?: string;
}

/** How long systemd waits for the agent to stop before it kills what is left of the service. */
export const STOP_TIMEOUT_SEC = 30;

/**
 * The sandbox: each line with why it is there. Left out on purpose, because jobs are arbitrary
 * commands of the operator's: ProtectSystem=strict (jobs write where they like outside /usr, /boot
 * and /etc), ProtectHome (a job may use its user's home), ProtectProc and ProcSubset (the monitor
 * reads every process in /proc), RestrictNamespaces (jobs may start containers), and
 * MemoryDenyWriteExecute (V8's JIT needs writable code pages).
 */
const SANDBOX: ReadonlyArray<readonly [string, string]> = [
  ['NoNewPrivileges=yes', 'no setuid binary (sudo) raises a job above the service user'],
  ['ProtectSystem=full', '/usr, /boot and /etc are read-only; the rest stays writable for jobs'],
  ['PrivateTmp=yes', 'a /tmp of its own, emptied when the service stops'],
  ['PrivateDevices=yes', 'no raw disks or other devices; /dev/null and friends remain'],
  ['ProtectKernelTunables=yes', 'no writes to /proc/sys and /sys'],
  ['ProtectKernelModules=yes', 'no kernel modules loaded'],
  ['ProtectKernelLogs=yes', 'no kernel log ring'],
  ['ProtectControlGroups=yes', 'the cgroup tree is read-only'],
  ['ProtectClock=yes', 'the system clock cannot be set'],
  ['ProtectHostname=yes', 'the host name cannot be changed'],
  ['RestrictSUIDSGID=yes', 'no setuid or setgid files made'],
  ['RestrictRealtime=yes', 'no realtime scheduling that could starve the host'],
  ['LockPersonality=yes', 'no change of execution domain'],
  ['SystemCallArchitectures=native', "only this machine's system call ABI"],
  [
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'sockets for HTTP, PostgreSQL and tools that ask the kernel over netlink (ip, ss)',
  ],
  ['CapabilityBoundingSet=', 'no capabilities, even for a job that would run a setuid binary'],
  ['UMask=0077', 'files the agent and its jobs make are private to the service user'],
];

export function renderUnit(spec: UnitSpec): string {
  const env: Record<string, string> = {
    // StateDirectory below: /var/lib/bosun, made and owned for the service user by systemd.
    BOSUN_DATA_DIR: '%S/bosun',
    ...spec.env,
  };
  if (spec.tokenFile !== undefined) env.BOSUN_TOKEN_FILE = '%d/token';
  if (spec.configFile !== undefined) env.BOSUN_CONFIG = escapeSpecifiers(spec.configFile);
  // A user made for the service has no home: jobs that look for one find the state directory.
  if (spec.user === undefined) env.HOME = '%S/bosun';

  const execStart = [spec.nodePath, ...spec.nodeFlags, spec.mainPath, 'serve', ...spec.serveFlags]
    .map(quoteArg)
    .join(' ');
  const lines = [
    `# Written by \`bosun service install\` (bosun ${spec.version}); \`bosun service uninstall\` removes it.`,
    '# Change it with a drop-in (systemctl edit bosun) rather than here: an install writes it again.',
    '[Unit]',
    'Description=bosun agent: runs and schedules work, watches this host',
    ...(spec.docsPath === undefined
      ? []
      : [`Documentation=file:${escapeSpecifiers(spec.docsPath)}`]),
    'After=network-online.target',
    'Wants=network-online.target',
    // Five failed starts in five minutes stop the restarts: a broken config is not retried forever.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    // exec: started once the binary runs. Not notify: Node cannot write to NOTIFY_SOCKET itself, and
    // the agent answers /healthz as soon as it listens.
    'Type=exec',
    ...(spec.user === undefined ? ['DynamicUser=yes'] : [`User=${spec.user}`]),
    `ExecStart=${execStart}`,
    ...Object.entries(env).map(([key, value]) => `Environment=${quoteAssignment(key, value)}`),
    ...(spec.tokenFile === undefined
      ? []
      : [
          // Copied by systemd to a private, read-only directory only this service sees (%d).
          `LoadCredential=token:${escapeSpecifiers(spec.tokenFile)}`,
        ]),
    'StateDirectory=bosun',
    'StateDirectoryMode=0700',
    // NODE_COMPILE_CACHE: compiled modules, kept across restarts.
    'CacheDirectory=bosun',
    'ConfigurationDirectory=bosun',
    'ConfigurationDirectoryMode=0755',
    'WorkingDirectory=%S/bosun',
    'Restart=on-failure',
    'RestartSec=5s',
    // Wrong flags or settings (exit-codes.ts) stay wrong: restarting would only fill the journal.
    `RestartPreventExitStatus=${EXIT.USAGE} ${EXIT.CONFIG}`,
    // SIGTERM to the agent alone: it stops its runs' process groups itself (SIGTERM, a grace, SIGKILL)
    // and records their ends. Whatever is left when the timeout passes is killed with the cgroup.
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    // Above the agent's own limit (15 s: runs' grace 10 s, open answers 5 s).
    `TimeoutStopSec=${STOP_TIMEOUT_SEC}s`,
    'LimitNOFILE=65536',
    'StandardOutput=journal',
    'StandardError=journal',
    'SyslogIdentifier=bosun',
    '',
    '# The sandbox. Jobs run inside it too, so it stops short of what would break ordinary jobs:',
    '# see docs/operations.md for what is off and why.',
    ...SANDBOX.flatMap(([line, why]) => [`# ${why}`, line]),
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}

/**
 * One word of ExecStart=, as systemd splits it: `%` starts a specifier and `$` a variable, so both
 * are doubled; a word with spaces, quotes or backslashes is quoted.
 */
export function quoteArg(word: string): string {
  return quoteWord(escapeSpecifiers(word).replaceAll('$', () => '$$'));
}

/**
 * KEY=value for Environment=: quoted when it must be. The values are the unit's own (%S, %d and %C
 * are meant as specifiers) or escaped by the caller; Environment= expands no `$`.
 */
function quoteAssignment(key: string, value: string): string {
  return quoteWord(`${key}=${value}`);
}

function quoteWord(word: string): string {
  if (word !== '' && /^[\w@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%');
}
