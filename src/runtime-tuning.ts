// Tuning the agent gets whichever way it is started (bin/bosun, `node src/main.ts serve` in a unit file
// or a container): what only takes effect at process start is applied by main.ts re-executing itself
// once (process.execve: same pid, same stdio); other commands switch the compile cache on in-process.
import module from 'node:module';

/**
 * Names the variables the re-exec set for the agent alone, so that runs leave them out (agent.ts
 * runEnv); its presence also marks a process as tuned, so the re-exec happens once.
 */
export const LAUNCHER_ENV = 'BOSUN_LAUNCHER_ENV';

/**
 * Caps V8's young generation at 16 MiB per semi-space (V8 grows it to 64): after a flood of requests
 * the agent holds far less memory, at no measured throughput cost (docs/performance.md). Only a
 * command-line flag does it: v8.setFlagsFromString after start leaves the heap as it was. On node's
 * command line, not in NODE_OPTIONS, so that runs do not inherit it.
 */
const SEMI_SPACE_FLAG = '--max-semi-space-size=16';

export interface TunedStart {
  /** The whole argv of the new process: node, its flags, the script and its arguments. */
  args: string[];
  env: Record<string, string>;
}

export interface ProcessStart {
  /** Where compiled modules are cached (NODE_COMPILE_CACHE) unless the caller chose. */
  compileCacheDir: string;
  execPath: string;
  execArgv: readonly string[];
  /** process.argv: node, the script, then the command's arguments. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * How to start this process again with the agent's tuning, or undefined when there is nothing to do:
 * not `serve` (a client command is short-lived), already tuned, or every setting given by the caller
 * (a caller's own MALLOC_ARENA_MAX or semi-space size wins, and runs inherit what the caller set).
 */
export function planTunedStart({
  compileCacheDir,
  execPath,
  execArgv,
  argv,
  env,
}: ProcessStart): TunedStart | undefined {
  const command = argv.slice(2).find((arg) => !arg.startsWith('-'));
  if (command !== 'serve' || env[LAUNCHER_ENV] !== undefined) return undefined;
  const set: string[] = [];
  const added: Record<string, string> = {};
  if (!env.NODE_COMPILE_CACHE && !env.NODE_DISABLE_COMPILE_CACHE) {
    // Compiled, type-stripped modules are cached: later starts never load the TypeScript stripper,
    // which saves about a tenth of the agent's memory. In the environment, not module.enableCompileCache,
    // so that it covers main.ts itself.
    added.NODE_COMPILE_CACHE = compileCacheDir;
    set.push('NODE_COMPILE_CACHE');
  }
  if (!env.MALLOC_ARENA_MAX) {
    // One malloc arena for every thread instead of one per thread: a few MiB less RSS, no
    // measurable cost. glibc reads it once, when the process starts.
    added.MALLOC_ARENA_MAX = '1';
    set.push('MALLOC_ARENA_MAX');
  }
  const namesSemiSpace = (flags: string) => /--max[-_]semi[-_]space[-_]size/.test(flags);
  const flags =
    namesSemiSpace(execArgv.join(' ')) || namesSemiSpace(env.NODE_OPTIONS ?? '')
      ? []
      : [SEMI_SPACE_FLAG];
  if (set.length === 0 && flags.length === 0) return undefined;
  const inherited = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    args: [execPath, ...flags, ...execArgv, ...argv.slice(1)],
    env: { ...inherited, ...added, [LAUNCHER_ENV]: set.join(' ') },
  };
}

/**
 * Caches compiled (and type-stripped) modules in `dir` for the modules loaded from now on: a faster
 * start of the commands that are not re-executed. A caller's NODE_COMPILE_CACHE or
 * NODE_DISABLE_COMPILE_CACHE wins.
 */
export function enableCompileCache(dir: string): void {
  module.enableCompileCache(dir);
}
