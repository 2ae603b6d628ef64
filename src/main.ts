// Entry point: applies the agent's runtime tuning, reads argv and env, loads the configuration,
// starts the agent and handles signals. The only place that touches process.exit.
import { fileURLToPath } from 'node:url';
import type { Invocation } from './cli/program.ts';
import type { Config } from './config.ts';
import { enableCompileCache, planTunedStart } from './runtime-tuning.ts';

// Before anything else is loaded: a re-exec replaces this process (same pid), and the compile cache
// only covers the modules loaded after it is on.
const compileCacheDir = fileURLToPath(new URL('../node_modules/.cache/bosun', import.meta.url));
const tuned = planTunedStart({
  compileCacheDir,
  execPath: process.execPath,
  execArgv: process.execArgv,
  argv: process.argv,
  env: process.env,
});
if (tuned !== undefined && process.execve !== undefined) {
  process.execve(process.execPath, tuned.args, tuned.env);
}
enableCompileCache(compileCacheDir);

const [
  { CommanderError },
  { createProgram },
  { loadConfig },
  { isAgentError },
  { maskArgs },
  { VERSION },
  { errorText, EXIT },
] = await Promise.all([
  import('commander'),
  import('./cli/program.ts'),
  import('./config.ts'),
  import('./errors.ts'),
  import('./monitor/mask-args.ts'),
  import('./version.ts'),
  import('./cli/exit-codes.ts'),
]);

const SHUTDOWN_TIMEOUT_MS = 15_000;

async function serve(flags: Extract<Invocation, { command: 'serve' }>['flags']): Promise<void> {
  const config: Config = loadConfig({ flags, env: process.env, cwd: process.cwd() });
  // The logger (pino) and the agent's modules load here: client commands never need them.
  const { createLogger } = await import('./logger.ts');
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    isTty: Boolean(process.stdout.isTTY),
  });
  const { createAgent } = await import('./agent.ts');
  const agent = createAgent(config, { logger, version: VERSION, env: process.env });

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    agent.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const url = await agent.start();
  if (config.tokenGenerated) {
    // Printed once, to the terminal, never into the structured log.
    process.stderr.write(
      `\nbosun: generated access token: ${config.token}\n       dashboard: ${url}/?token=${config.token}\n\n`,
    );
  }
}

/**
 * A secret given on the command line (`--token X`, a store URL's password) is taken out of the process
 * title: on Linux Node writes the title over the original arguments, so `ps` and /proc/<pid>/cmdline
 * then show the masked line. It is visible until this runs; --token-file and BOSUN_TOKEN never are.
 */
function hideSecretArgs(): void {
  const args = [process.argv0, ...process.execArgv, ...process.argv.slice(1)];
  const masked = maskArgs(args);
  if (masked.some((arg, i) => arg !== args[i])) process.title = masked.join(' ');
}

async function main(argv: string[]): Promise<void> {
  hideSecretArgs();
  let invocation: Invocation | undefined;
  // Under --json a usage error is printed as JSON, in place of commander's text.
  const json = argv.includes('--json');
  const program = createProgram(
    VERSION,
    (inv) => {
      invocation = inv;
    },
    json ? { outputError: () => {}, writeErr: () => {} } : {},
  );
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and --version end with 0; a wrong command, flag or value is a usage error.
    if (err.exitCode === 0) process.exit(0);
    const message = err.message.replace(/^error: /, '');
    if (json) process.stderr.write(errorText(message, 'USAGE', EXIT.USAGE, true));
    process.exit(EXIT.USAGE);
  }
  if (!invocation) {
    program.outputHelp();
    process.exit(EXIT.USAGE);
  }
  if (invocation.command === 'serve') await serve(invocation.flags);
  else if (invocation.command === 'completion' || invocation.command === '__complete') {
    await completion(invocation);
  } else if (invocation.command === 'pipeline-run') {
    const { runPipelineFile } = await import('./cli/pipeline-run.ts');
    process.exitCode = await runPipelineFile(invocation.file, invocation.variables, {
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      onInterrupt(handler) {
        process.on('SIGINT', handler);
        return () => process.off('SIGINT', handler);
      },
    });
  } else await client(invocation);
}

async function completion(
  inv: Extract<Invocation, { command: 'completion' | '__complete' }>,
): Promise<void> {
  const { agentLookup, complete, completionScript, renderCompletion } =
    await import('./cli/completion.ts');
  if (inv.command === 'completion') {
    process.stdout.write(completionScript(inv.shell));
    return;
  }
  const program = createProgram(VERSION, () => {});
  process.stdout.write(
    renderCompletion(await complete(program, inv.words, agentLookup(process.env))),
  );
}

/** jobs, runs, logs: one request or stream against a running agent. */
async function client(inv: Extract<Invocation, { command: 'client' }>): Promise<void> {
  // Loaded only for client commands, so `serve` does not pay for them.
  const { runClientCommand } = await import('./cli/run-client.ts');
  const readStdin = async (): Promise<string> => {
    // Joined as bytes, so a character split across chunks survives.
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  };
  // Stop quietly when the reader of a pipe goes away (`bosun logs X | head`).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const code = await runClientCommand(inv.name, inv.args, inv.flags, {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    now: Date.now,
    stdin: process.stdin,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  });
  process.exitCode = code;
}

/** Why `bosun serve` could not start, as the line that names the fix and its exit code. */
function startFailure(err: unknown): { message: string; exitCode: number } {
  if (isAgentError(err)) {
    const unavailable = err.code === 'STORE_UNAVAILABLE' || err.code === 'STORE';
    return { message: err.message, exitCode: unavailable ? EXIT.UNAVAILABLE : EXIT.CONFIG };
  }
  const e = err as Partial<NodeJS.ErrnoException> & { address?: string; port?: number };
  if (e?.syscall === 'listen' && e.code === 'EADDRINUSE') {
    return {
      message: `${e.address}:${e.port} is in use (another bosun?): stop it, or choose another --port`,
      exitCode: EXIT.UNAVAILABLE,
    };
  }
  if (e?.syscall === 'listen' && e.code === 'EACCES') {
    return {
      message: `may not listen on ${e.address}:${e.port}: a port below 1024 needs root or CAP_NET_BIND_SERVICE; choose another --port`,
      exitCode: EXIT.DENIED,
    };
  }
  return { message: (err as Error)?.stack ?? String(err), exitCode: EXIT.FAILED };
}

main(process.argv).catch((err: unknown) => {
  const { message, exitCode } = startFailure(err);
  process.stderr.write(`bosun: ${message}\n`);
  process.exit(exitCode);
});
