// The `bosun` command line: its commands, flags and help. Parsing only; main.ts runs what it returns.
import { Command, Option } from 'commander';
import { SETTINGS, envName, type RawSettings } from '../config.ts';

export interface Invocation {
  command: 'serve';
  flags: RawSettings;
}

/** Builds the program; `onInvoke` receives the parsed command. Commander's exits go through exitOverride. */
export function createProgram(version: string, onInvoke: (inv: Invocation) => void): Command {
  const program = new Command('bosun')
    .description(
      'bosun: one agent per machine that runs and schedules work, watches its host and lets you diagnose both',
    )
    .version(version, '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run "bosun --help" for usage)')
    .exitOverride();

  const serve = program
    .command('serve')
    .description('start the agent: HTTP API, dashboard and host monitoring on one port')
    .helpOption('-h, --help', 'show help')
    .option('-c, --config <file>', 'read settings from a YAML file (env: BOSUN_CONFIG)');
  for (const s of SETTINGS) {
    const flag =
      s.kind === 'boolean'
        ? `--${s.name}`
        : s.kind === 'token'
          ? `--${s.name} [value]`
          : `--${s.name} <value>`;
    const option = new Option(
      flag,
      `${s.description} (env: ${envName(s)}${s.defaultText ? `, default: ${s.defaultText}` : ''})`,
    );
    if (s.choices) option.choices([...s.choices]);
    serve.addOption(option);
  }
  serve.addHelpText(
    'after',
    `
Settings are read from defaults < the YAML file < BOSUN_* environment < flags.

Examples:
  bosun serve                              # http://127.0.0.1:8600, SQLite in ./data
  bosun serve --port 9000 --interval 1s
  bosun serve --bind 0.0.0.0 --token       # generates a token and prints it once
  bosun serve --store postgres://bosun:secret@db:5432/bosun`,
  );
  serve.action((opts: Record<string, string | boolean | undefined>) => {
    const flags: RawSettings = {};
    for (const [key, value] of Object.entries(opts)) {
      if (value === undefined) continue;
      // commander camel-cases option names; settings are keyed by their kebab-case name.
      flags[key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())] = value;
    }
    onInvoke({ command: 'serve', flags });
  });
  return program;
}
