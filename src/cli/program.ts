// The `bosun` command line: its commands, flags and help. Parsing only; main.ts runs what it returns.
import {
  Argument,
  Command,
  InvalidArgumentError,
  Option,
  type OutputConfiguration,
} from 'commander';
import { SETTINGS, envName, type RawSettings } from '../config.ts';
import { createServiceCommand } from '../service/service-command.ts';
import { RUN_STATE_NAMES } from './api-types.ts';
import { SHELLS, type Shell } from './shells.ts';

/** The commands that talk to a running agent over its native API (run-client.ts). */
export type ClientCommandName =
  | 'jobs ls'
  | 'jobs show'
  | 'jobs add'
  | 'jobs rm'
  | 'jobs enable'
  | 'jobs disable'
  | 'jobs run'
  | 'jobs next'
  | 'runs ls'
  | 'runs show'
  | 'runs stop'
  | 'logs'
  | 'exec'
  | 'console'
  | 'submit'
  | 'stop'
  | 'resume';

/** Every client command's flags; each command defines the ones it takes. */
export interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
  file?: string;
  update?: boolean;
  follow?: boolean;
  count?: number;
  job?: string;
  state?: string;
  limit?: number;
  tail?: number;
  session?: string;
  name?: string;
  savepoint?: boolean;
  cursor?: string;
  all?: boolean;
}

export type Invocation =
  | { command: 'serve'; flags: RawSettings }
  | { command: 'completion'; shell: Shell }
  | { command: '__complete'; words: string[] }
  | { command: 'client'; name: ClientCommandName; args: string[]; flags: ClientFlags }
  | { command: 'pipeline-run'; file: string; variables: string[] };

/** Builds the program; `onInvoke` receives the parsed command. Commander's exits go through exitOverride. */
export function createProgram(
  version: string,
  onInvoke: (inv: Invocation) => void,
  output: OutputConfiguration = {},
): Command {
  const program = new Command('bosun')
    .configureOutput(output)
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
        : s.kind === 'token' || s.bare !== undefined
          ? `--${s.name} [value]`
          : `--${s.name} <value>`;
    const option = new Option(
      flag,
      `${s.description} (env: ${envName(s)}${s.defaultText ? `, default: ${s.defaultText}` : ''})`,
    );
    if (s.choices) option.choices([...s.choices]);
    if (s.bare !== undefined) option.preset(s.bare);
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

  addClientCommands(program, onInvoke);
  program.addCommand(createServiceCommand());

  const pipeline = program
    .command('pipeline')
    .description('pipelines (SeaTunnel-style source → transform → sink jobs) without a server')
    .helpOption('-h, --help', 'show help');
  pipeline
    .command('run <file>')
    .description(
      'run a pipeline config (.conf HOCON or .json) here, printing its output and progress',
    )
    .helpOption('-h, --help', 'show help')
    .option(
      '-i, --variable <name=value>',
      'a value for ${name} in the config (repeatable; the environment is used too)',
      (value: string, all: string[] = []) => [...all, value],
    )
    .addHelpText(
      'after',
      `
Rows printed by a Console sink go to stdout; progress and the outcome go to stderr. The exit code is
0 when the pipeline finished, 1 when it failed, 65 when its config is wrong, 66 when the file cannot
be read, 130 after Ctrl-C (canceled).

Examples:
  bosun pipeline run fake_to_console.conf
  bosun pipeline run job.json -i OUT_DIR=/tmp/out`,
    )
    .action((file: string, opts: { variable?: string[] }) => {
      onInvoke({ command: 'pipeline-run', file, variables: opts.variable ?? [] });
    });

  program
    .command('completion')
    .description('print the shell completion script for bash, zsh or fish')
    .helpOption('-h, --help', 'show help')
    .addArgument(new Argument('<shell>', 'the shell').choices([...SHELLS]))
    .addHelpText(
      'after',
      `
Commands, flags and their values complete from this program; job names and run ids from the agent
(--url/--token on the line, else BOSUN_URL/BOSUN_TOKEN).

Examples:
  source <(bosun completion bash)                          # in ~/.bashrc
  source <(bosun completion zsh)                           # in ~/.zshrc, after compinit
  bosun completion fish > ~/.config/fish/completions/bosun.fish`,
    )
    .action((shell: Shell) => onInvoke({ command: 'completion', shell }));
  // What the completion scripts call at each Tab: the words so far, the last one being completed.
  program
    .command('__complete', { hidden: true })
    .helpOption(false)
    .argument('[words...]')
    .action((words: string[]) => onInvoke({ command: '__complete', words }));

  program.addHelpText(
    'after',
    `
jobs, runs and logs talk to a running agent: --url or BOSUN_URL (default http://127.0.0.1:8600),
--token or BOSUN_TOKEN when it has one. Run "bosun jobs --help" for more.

Exit codes: 0 done, 1 failed, 64 usage error, 65 invalid input, 66 not found, 69 agent unreachable
or unavailable, 77 token needed or refused, 78 bad settings for serve; jobs run --follow exits
with the run's own code (docs/cli.md).`,
  );
  return program;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number >= 1.');
  }
  return n;
}

function addClientCommands(program: Command, onInvoke: (inv: Invocation) => void): void {
  /** A leaf command with the connection flags (and --json where it prints data). */
  const leaf = (
    parent: Command,
    spec: string,
    name: ClientCommandName,
    description: string,
    opts: { json?: boolean; examples: string[] },
  ): Command => {
    const cmd = parent
      .command(spec)
      .description(description)
      .helpOption('-h, --help', 'show help')
      .option('--url <url>', 'the agent (env: BOSUN_URL, default: http://127.0.0.1:8600)')
      .option('--token <token>', "the agent's access token (env: BOSUN_TOKEN)");
    if (opts.json) cmd.option('--json', "print the API's JSON instead of text, for scripts");
    cmd.addHelpText('after', `\nExamples:\n${opts.examples.map((e) => `  ${e}`).join('\n')}`);
    cmd.action((...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      onInvoke({
        command: 'client',
        name,
        args: self.processedArgs.filter((a): a is string => typeof a === 'string'),
        flags: self.opts<ClientFlags>(),
      });
    });
    return cmd;
  };

  const jobs = program
    .command('jobs')
    .description('list, add, change and run the jobs of a running agent')
    .helpOption('-h, --help', 'show help');
  jobs.addHelpText(
    'after',
    `
A job file (YAML or JSON; see docs/api.md for every field):
  name: backup
  cmd: pg_dump app > /var/backups/app.sql
  schedules:
    - kind: cron
      expr: "30 2 * * *"
      tz: Europe/Berlin

Examples:
  bosun jobs add -f backup.yaml
  bosun jobs ls
  bosun jobs run backup --follow
  BOSUN_URL=http://db1:8600 BOSUN_TOKEN=... bosun jobs ls --json`,
  );

  leaf(
    jobs,
    'ls',
    'jobs ls',
    'list jobs with their schedule, next and last run, a page at a time',
    {
      json: true,
      examples: [
        'bosun jobs ls',
        'bosun jobs ls --name nightly- --limit 20',
        'bosun jobs ls --cursor 1234567890123999',
        'bosun jobs ls --all --json | jq -r ".jobs[].name"',
      ],
    },
  )
    .alias('list')
    .option('--limit <n>', 'jobs per page (default 50, max 1000)', positiveInt)
    .option('--name <prefix>', 'only jobs whose name starts with this (in name order)')
    .option('--cursor <id>', 'the page after this one (the cursor the previous page printed)')
    .option('--all', 'every page, one request per page');
  leaf(
    jobs,
    'show <job>',
    'jobs show',
    'show a job (by id or name) with its schedules and recent runs',
    {
      json: true,
      examples: ['bosun jobs show backup', 'bosun jobs show backup --json > backup.json'],
    },
  );
  leaf(jobs, 'add', 'jobs add', 'create a job from a YAML or JSON file', {
    json: true,
    examples: [
      'bosun jobs add -f backup.yaml',
      'bosun jobs add -f backup.yaml --update   # replace the job of that name, or create it',
      'cat job.json | bosun jobs add -f -',
    ],
  })
    .requiredOption('-f, --file <file>', 'the job file; - reads stdin')
    .option('--update', 'replace the job with the same name if there is one, else create it');
  leaf(jobs, 'rm <job>', 'jobs rm', 'delete a job and its runs (refused while a run is running)', {
    examples: ['bosun jobs rm backup'],
  }).alias('delete');
  leaf(jobs, 'enable <job>', 'jobs enable', 'let the job run on its schedules again', {
    json: true,
    examples: ['bosun jobs enable backup'],
  });
  leaf(
    jobs,
    'disable <job>',
    'jobs disable',
    'stop scheduling the job (it can still be run by hand)',
    {
      json: true,
      examples: ['bosun jobs disable backup'],
    },
  );
  leaf(jobs, 'run <job>', 'jobs run', 'start a run now and print its id', {
    json: true,
    examples: [
      'bosun jobs run backup                # prints the run id',
      'bosun jobs run backup --follow       # prints its output, exits with its exit code',
    ],
  }).option('-f, --follow', "stream the run's output and exit with its exit code");
  leaf(jobs, 'next <job>', 'jobs next', 'show when the job runs next, in local time and UTC', {
    json: true,
    examples: ['bosun jobs next backup', 'bosun jobs next backup -n 20'],
  }).option('-n, --count <n>', 'how many fire times (max 100)', positiveInt, 5);

  const runs = program
    .command('runs')
    .description('list, inspect and stop runs of a running agent')
    .helpOption('-h, --help', 'show help');
  runs.addHelpText(
    'after',
    `
Examples:
  bosun runs ls --job backup --state failed
  bosun runs show 1234567890123999
  bosun logs 1234567890123999 -f`,
  );
  leaf(runs, 'ls', 'runs ls', 'list runs, newest first', {
    json: true,
    examples: [
      'bosun runs ls',
      'bosun runs ls --job backup --state failed --limit 10',
      'bosun runs ls --state running --json',
    ],
  })
    .alias('list')
    .option('--job <job>', 'only the runs of this job (id or name)')
    .addOption(
      new Option('--state <state>', 'only runs in this state').choices([...RUN_STATE_NAMES]),
    )
    .option('--limit <n>', 'at most this many (default 50, max 500)', positiveInt);
  leaf(runs, 'show <run>', 'runs show', 'show one run: state, times, exit code, error', {
    json: true,
    examples: ['bosun runs show 1234567890123999'],
  });
  leaf(runs, 'stop <run>', 'runs stop', 'stop a running run (a queued one is canceled at once)', {
    json: true,
    examples: ['bosun runs stop 1234567890123999'],
  });

  leaf(program, 'logs <run>', 'logs', "print a run's output", {
    examples: [
      'bosun logs 1234567890123999',
      'bosun logs 1234567890123999 -f          # follow until the run ends',
      'bosun logs 1234567890123999 --tail 50',
    ],
  })
    .option('-f, --follow', 'keep printing output as it arrives, until the run ends')
    .option('--tail <n>', 'only the last N lines', positiveInt);

  leaf(
    program,
    'exec <command>',
    'exec',
    'run one console command on the agent and print its results',
    {
      examples: [
        'bosun exec version',
        'bosun exec "sysenv | grep PATH"',
        'bosun exec "dashboard -i 1000 -n 3"   # streams; Ctrl-C interrupts it',
        'bosun exec help                       # every console command',
      ],
    },
  );
  leaf(program, 'console', 'console', "an interactive shell over the agent's console (POST /api)", {
    examples: [
      'bosun console',
      'bosun console --session 0f5c…   # join a session another console or the dashboard opened',
    ],
  }).option(
    '--session <id>',
    'join this session (GET /api/v1/sessions lists them) instead of opening one',
  );

  leaf(
    program,
    'submit <file>',
    'submit',
    'submit a pipeline config (.conf HOCON or .json) to the agent and start it',
    {
      json: true,
      examples: [
        'bosun submit fake_to_file.conf              # creates or replaces the pipeline job, starts a run',
        'bosun submit job.json --name nightly-copy --follow',
      ],
    },
  )
    .option(
      '--name <name>',
      "the pipeline job's name (default: the config's job.name, else the file name)",
    )
    .option('-f, --follow', 'print its output and its progress until it ends');
  leaf(
    program,
    'stop <job>',
    'stop',
    'stop every run of a job (a pipeline or any) that has not ended',
    {
      json: true,
      examples: [
        'bosun stop nightly-copy',
        'bosun stop nightly-copy --savepoint   # resume later with bosun resume',
      ],
    },
  ).option('--savepoint', 'take a savepoint first, to resume from later (pipelines)');
  leaf(program, 'resume <job>', 'resume', 'start a pipeline again from its newest savepoint', {
    json: true,
    examples: ['bosun resume nightly-copy', 'bosun resume nightly-copy --follow'],
  }).option('-f, --follow', 'print its output and its progress until it ends');
}
