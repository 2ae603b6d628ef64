// Everything a benchmark starts is registered here and torn down on every way out: normal exit,
// a thrown error, Ctrl-C, SIGTERM, or the run exceeding its time bound.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const groups = new Set<number>();
const dirs = new Set<string>();

/** Tracks a child started with `detached: true`: its whole process group is killed on exit. */
export function trackGroup(pid: number): void {
  groups.add(pid);
}

export function untrackGroup(pid: number): void {
  groups.delete(pid);
}

/** A fresh temporary directory, removed on exit unless removed earlier with removeTempDir. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bosun-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * Synchronous on purpose: it runs from process.on('exit'), where nothing asynchronous completes.
 */
function cleanupNow(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

let installed = false;

/**
 * Installs the exit and signal handlers and a hard deadline: past `maxSeconds` the run is aborted
 * (exit code 1) so a hung child can never keep a benchmark running.
 */
export function installCleanup(maxSeconds: number): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}: stopping everything it started\n`);
      process.exit(130);
    });
  }
  setTimeout(() => {
    process.stderr.write(`bench: exceeded its ${Math.round(maxSeconds)} s bound; aborting\n`);
    process.exit(1);
  }, maxSeconds * 1000).unref();
}

/** Runs a benchmark's main function; any failure is printed and the exit handler cleans up. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
