// Runs one job command as a child process in its own process group, so a stop or a timeout can signal
// the job and everything it started at once, and reports how it ended without ever throwing.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { readJsonLines } from '../../json-lines.ts';
import { readdirSync, readFileSync, statSync } from 'node:fs';

/** How a run's shell ended. `error` is set when it could not be started at all. */
export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
  /** Why the process could not be started, naming the fix. */
  error?: string;
}

export interface RunningProcess {
  /** The shell's pid, which is also its process group id; 0 when the spawn failed. */
  pid: number;
  /** Resolves (never rejects) once the shell has exited and its output has been read to the end. */
  exited: Promise<ProcessExit>;
  /**
   * Sends `signal` to the whole group and waits up to `graceMs` for the shell and every other process of
   * the group to exit, then SIGKILLs whatever remains. Resolves once the shell has exited and the group
   * has been dealt with. Safe to call again (a later call may escalate, e.g. with SIGKILL); a no-op
   * after the run ended.
   */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  /** Writes one JSON message to the control channel (fd 3), when the run has one. */
  send(message: unknown): void;
}

export interface SpawnRunOptions {
  /** Run by `/bin/sh -c`. */
  cmd: string;
  cwd: string;
  /** The full environment of the process (the caller merges the agent's and the job's). */
  env: Record<string, string>;
  /** stdout and stderr, combined in the order the job wrote them. Must not throw. */
  onOutput: (data: Buffer) => void;
  /**
   * A control channel on the process's fd 3 (a socket both ends can write), one JSON message per line:
   * how the pipeline engine reports metrics and checkpoints and hears that a checkpoint is stored.
   */
  onControl?: (message: unknown) => void;
  /**
   * How long to keep reading output after the shell exited, for a process that escaped the group and
   * still holds the pipe open; then the pipe is closed.
   * @default 2000
   */
  drainMs?: number;
}

const DEFAULT_DRAIN_MS = 2000;
/** How often a stop checks whether the processes the shell left have exited. */
const GROUP_POLL_MS = 50;

// stdout and stderr share one pipe so the log keeps the order the job wrote in: two pipes read by the
// event loop can swap lines written close together. The redirection is the script's first line, in
// the same shell: a wrapper shell that execs another would cost a second exec per run (~35 % of the
// spawn rate measured here). The one visible difference from `sh -c cmd`: $LINENO counts from 2.
const REDIRECT = 'exec 2>&1\n';

export function spawnRun(opts: SpawnRunOptions): RunningProcess {
  const cwdProblem = checkCwd(opts.cwd);
  if (cwdProblem) return failed(cwdProblem);

  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', REDIRECT + opts.cmd], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: opts.onControl ? ['ignore', 'pipe', 'ignore', 'pipe'] : ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    // Synchronous throws are argument problems, e.g. a NUL byte in the command or an env value.
    return failed(`could not start the job: ${errorMessage(err)}; check the command and its env`);
  }

  const pid = child.pid ?? 0;
  const drainMs = opts.drainMs ?? DEFAULT_DRAIN_MS;
  const control = opts.onControl ? (child.stdio[3] as Duplex | null) : null;
  if (control && opts.onControl) readJsonLines(control, opts.onControl);
  const stdout = child.stdout;

  let shellExit: ProcessExit | undefined;
  let resolveExited!: (exit: ProcessExit) => void;
  const exited = new Promise<ProcessExit>((resolve) => {
    resolveExited = resolve;
  });
  const exitWaiters: (() => void)[] = [];
  let streamClosed = stdout === null;
  let drainTimer: NodeJS.Timeout | undefined;
  let stopsInProgress = 0;
  let groupSettled = false;

  const maybeResolve = (): void => {
    if (shellExit && streamClosed) {
      if (drainTimer) clearTimeout(drainTimer);
      resolveExited(shellExit);
    }
  };

  // Called once the shell has exited and any stop has had its grace period.
  const settleGroup = (): void => {
    if (groupSettled) return;
    groupSettled = true;
    // Deliberate: a run ends with its shell. Background processes it left in its group are killed now so
    // nothing of the run outlives it (and nothing keeps writing to a log that is already closed).
    killGroup(pid, 'SIGKILL');
    if (!streamClosed && stdout) {
      // A process that left the group (setsid, daemonising) may still hold the pipe open: read what
      // arrives for a short while, then stop waiting for it.
      drainTimer = setTimeout(() => stdout.destroy(), drainMs);
      drainTimer.unref();
    }
  };

  if (stdout) {
    stdout.on('data', (data: Buffer) => opts.onOutput(data));
    // A pipe read error only means the output ended early; the exit status is still reported.
    stdout.on('error', () => {});
    stdout.on('close', () => {
      streamClosed = true;
      maybeResolve();
    });
  }

  child.on('error', (err) => {
    // Spawn failures land here (no pid); later errors (none expected: we never use child.kill) are
    // ignored rather than left unhandled.
    if (pid !== 0 || shellExit) return;
    shellExit = { exitCode: null, signal: null, error: spawnErrorMessage(err, opts.cwd) };
    groupSettled = true;
    streamClosed = true;
    for (const wake of exitWaiters.splice(0)) wake();
    stdout?.destroy();
    maybeResolve();
  });

  child.on('exit', (code, signal) => {
    shellExit = { exitCode: code, signal };
    for (const wake of exitWaiters.splice(0)) wake();
    // A stop in progress lets the rest of the group finish its own cleanup within the grace period (the
    // shell itself dies at once on SIGTERM or SIGINT); stop() settles the group when that is over.
    if (stopsInProgress === 0) settleGroup();
    maybeResolve();
  });

  const waitShellExit = (): Promise<void> =>
    shellExit ? Promise.resolve() : new Promise((resolve) => exitWaiters.push(resolve));

  const stop = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (pid === 0 || groupSettled) return;
    stopsInProgress++;
    try {
      killGroup(pid, signal);
      const deadline = Date.now() + Math.max(0, graceMs);
      await withTimeout(waitShellExit(), deadline - Date.now());
      // The shell is gone; give the processes it left the rest of the grace period to exit.
      while (shellExit && Date.now() < deadline && groupAlive(pid)) {
        await withTimeout(
          new Promise<void>(() => {}),
          Math.min(GROUP_POLL_MS, deadline - Date.now()),
        );
      }
      if (!shellExit || groupAlive(pid)) killGroup(pid, 'SIGKILL');
      await waitShellExit();
    } finally {
      stopsInProgress--;
    }
    settleGroup();
  };

  const send = (message: unknown): void => {
    if (control && !control.destroyed) control.write(`${JSON.stringify(message)}\n`);
  };

  return { pid, exited, stop, send };
}

/** Resolves when `promise` does or after `ms`, whichever comes first; leaves no timer behind. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends `signal` to every process of group `pgid`. True if the group existed and was signalled; false
 * when there is no such group or none of its members may be signalled by us (EPERM: not ours).
 */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  // kill(-0) would signal our own group: never let a bad pgid get that far.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether group `pgid` still has a member that is not a zombie. Dead members can linger as zombies for
 * seconds until they are reaped, and signal 0 still finds those, so /proc decides.
 */
export function groupAlive(pgid: number): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    // EPERM: members exist but belong to someone else; /proc below still tells whether they live.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // No /proc: trust signal 0.
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(name);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

function readProcStat(pid: string): { state: string; pgrp: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // Exited between readdir and read.
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')': split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgrp = Number(fields[2]);
  return state === undefined ? undefined : { state, pgrp };
}

function checkCwd(cwd: string): string | undefined {
  try {
    if (!statSync(cwd).isDirectory()) {
      return `working directory ${cwd} is not a directory; set the job's cwd to a directory`;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return `working directory ${cwd} does not exist; create it or change the job's cwd`;
    }
    return `working directory ${cwd} cannot be used (${code ?? errorMessage(err)}); check its permissions`;
  }
  return undefined;
}

function spawnErrorMessage(err: Error, cwd: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    // Node reports a missing cwd as a missing /bin/sh; the cwd was checked just before, so say both.
    return `could not start /bin/sh in ${cwd} (ENOENT): /bin/sh or the working directory is missing`;
  }
  if (code === 'EACCES') {
    return `could not start /bin/sh in ${cwd} (EACCES): check the permissions of the working directory`;
  }
  if (code === 'EAGAIN' || code === 'ENOMEM') {
    return `could not start the job (${code}): the host is out of processes or memory; retry later`;
  }
  return `could not start the job: ${err.message}`;
}

function failed(error: string): RunningProcess {
  return {
    pid: 0,
    exited: Promise.resolve({ exitCode: null, signal: null, error }),
    stop: () => Promise.resolve(),
    send: () => {},
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
