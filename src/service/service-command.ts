// The `bosun service` command: install or remove the systemd unit that runs this bosun as the host's
// agent (service-install.ts). It does its work while the command line is parsed and ends the parse
// with commander's own "done" signal, as --help and --version do, so main.ts needs no case for it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.ts';
import type { ServiceHost } from './service-install.ts';
import { DEFAULT_TOKEN_FILE, DEFAULT_UNIT_DIR } from './service-paths.ts';

/** The agent's entry script beside this module: src/main.ts in a checkout, dist/main.js in the package. */
const MAIN_PATH = fileURLToPath(new URL('../main.ts', import.meta.url));
const DOCS_PATH = fileURLToPath(new URL('../../docs/operations.md', import.meta.url));

export function createServiceCommand(): Command {
  const service = new Command('service')
    .description("install or remove the systemd unit that runs bosun as this host's agent")
    .helpOption('-h, --help', 'show help');
  service
    .command('install')
    .description("write the systemd unit (needs root); serve's flags go after --")
    .helpOption('-h, --help', 'show help')
    .argument('[serve-flags...]', 'flags for bosun serve, after --')
    .option('--user <name>', 'run as this existing user (default: a user systemd makes for it)')
    .option(
      '--token-file <file>',
      `the access token, handed to the agent as a systemd credential (default: ${DEFAULT_TOKEN_FILE} if it exists)`,
    )
    .option(
      '--config <file>',
      'a settings file other than /etc/bosun/bosun.yaml, which the agent reads when it exists',
    )
    .option('--name <name>', 'the unit name', 'bosun')
    .option('--unit-dir <dir>', 'where to write the unit', DEFAULT_UNIT_DIR)
    .addHelpText(
      'after',
      `
The unit runs the agent as a service: its state in /var/lib/bosun, its logs in the journal, restarted
on failure, stopped gracefully (docs/operations.md says which sandbox protections are on and why).

Examples:
  sudo bosun service install
  sudo bosun service install --user bosun -- --bind 0.0.0.0 --port 8600
  sudo systemctl enable --now bosun && journalctl -u bosun -f`,
    )
    .action(async (serveFlags: string[], opts: Record<string, string | undefined>) => {
      // Loaded when asked for: every bosun process builds this command, the agent's included.
      const { installService } = await import('./service-install.ts');
      installService(
        {
          name: opts.name ?? 'bosun',
          unitDir: opts.unitDir ?? DEFAULT_UNIT_DIR,
          serveArgs: serveFlags,
          ...(opts.user === undefined ? {} : { user: opts.user }),
          ...(opts.tokenFile === undefined ? {} : { tokenFile: opts.tokenFile }),
          ...(opts.config === undefined ? {} : { configFile: opts.config }),
        },
        machine(),
      );
      done();
    });
  service
    .command('uninstall')
    .description('stop and disable the agent and remove its unit (its state is kept)')
    .helpOption('-h, --help', 'show help')
    .option('--name <name>', 'the unit name', 'bosun')
    .option('--unit-dir <dir>', 'where the unit is', DEFAULT_UNIT_DIR)
    .action(async (opts: { name: string; unitDir: string }) => {
      const { uninstallService } = await import('./service-install.ts');
      uninstallService(opts, machine());
      done();
    });
  return service;
}

/** Ends the parse as commander ends it after --help: main.ts exits with this status. */
function done(): never {
  throw new CommanderError(0, 'bosun.service.done', '');
}

function machine(): ServiceHost {
  return {
    version: VERSION,
    nodePath: process.execPath,
    mainPath: MAIN_PATH,
    ...(existsSync(DOCS_PATH) ? { docsPath: DOCS_PATH } : {}),
    systemdRunning: existsSync('/run/systemd/system'),
    userExists,
    systemctl(args) {
      const r = spawnSync('systemctl', [...args], { encoding: 'utf8' });
      return {
        status: r.status,
        output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`,
      };
    },
    print: (line) => process.stdout.write(`${line}\n`),
  };
}

/** Through NSS (getent) so directory users count; /etc/passwd where getent is missing. */
function userExists(name: string): boolean {
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  if (r.error === undefined) return r.status === 0;
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .some((line) => line.split(':')[0] === name);
  } catch {
    return false;
  }
}
