// Runs one job command as a child process in its own process group, so a stop or a timeout can signal
// the job and everything it started at once, and reports how it ended without ever throwing. Who
// forks is a Launcher's business: this process (launchDirect) or the spawn helper (spawn-helper.ts).

import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { readJsonLines } from '../../json-lines.ts';
import { statSync } from 'node:fs';
import { groupAlive } from '../../proc/process-group.ts';

/** How a run's shell ended. `error` is set when it could not be started at all. */
export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
  /** Why the process could not be started, naming the fix. */
  error?: string;
}

/** A shell that runs: its pid, which is also its process group id (0: it could not be started). */
export interface Started {
  pid: number;
  /** When its exec succeeded, as performance.now() in this process. */
  at: number;
}

export interface RunningProcess {
  /** Resolves once the shell runs, or could not be started (pid 0). */
  started: Promise<Started>;
  /** Resolves (never rejects) once the shell has exited and its output has been read to the end. */
  exited: Promise<ProcessExit>;
  /**
   * Sends `signal` to the whole group and waits up to `graceMs` for the shell and every other process of
   * the group to exit, then SIGKILLs whatever remains. Resolves once the shell has exited and the group
   * has been dealt with. Safe to call again (a later call may escalate, e.g. with SIGKILL); a no-op
   * after the run ended.
   */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  /** Writes one JSON message to the process (its fd 4), when the run has a control channel. */
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
   * A control channel, one JSON message per line: the process writes on its fd 3 and reads its fd 4.
   * It is how the pipeline engine reports metrics, checkpoints and its result and hears that a
   * checkpoint is stored. One socket per direction: a write to a process that has just exited
   * fails (EPIPE) and destroys the socket it went to, which on a shared socket dropped the last
   * lines the process wrote before they were read (its result: the run was taken for failed).
   * Such a run is always spawned by the agent itself. It is asked to stop over the channel (a
   * `{"type":"stop","signal"}` line) rather than sent the signal, which would be lost if it came
   * before the process had set up its handler (SIGUSR1's default opens Node's inspector); the
   * message waits in the socket until read. It has exited once the channel has closed too, so its
   * last messages (the result) are read before.
   */
  onControl?: (message: unknown) => void;
  /**
   * How long to keep reading output after the shell exited, for a process that escaped the group and
   * still holds the pipe open; then the pipe is closed.
   * @default 2000
   */
  drainMs?: number;
}

/** What a launcher starts: `/bin/sh -c script` in its own session, stdout piped, stderr discarded. */
export interface LaunchSpec {
  script: string;
  cwd: string;
  env: Record<string, string>;
}

/** What a launcher reports about the shell it started, in this order: started, output…, the rest. */
export interface LaunchEvents {
  /** `at`: when the exec succeeded (performance.now()), where the launcher knows it better than now. */
  started(pid: number, at?: number): void;
  /** It could not start, or was lost (a message naming the fix); nothing else follows. */
  failed(error: string): void;
  output(data: Buffer): void;
  /** The output pipe is closed: every writer closed it, or closeOutput() was called. */
  outputEnd(): void;
  exit(exitCode: number | null, signal: NodeJS.Signals | null): void;
}

export interface Launched {
  /** Stops reading the output; outputEnd follows. */
  closeOutput(): void;
}

/**
 * Starts a shell and reports on it through `events`; throws only for what no shell can be started
 * with (a NUL byte in the script, the cwd or the environment; an environment over the exec limit).
 */
export type Launcher = (spec: LaunchSpec, events: LaunchEvents) => Launched;

const DEFAULT_DRAIN_MS = 2000;
/** How often a stop checks whether the processes the shell left have exited. */
const GROUP_POLL_MS = 50;

// stdout and stderr share one pipe so the log keeps the order the job wrote in: two pipes read by the
// event loop can swap lines written close together. The redirection is the script's first line, in
// the same shell: a wrapper shell that execs another would cost a second exec per run (~35 % of the
// spawn rate measured here). The one visible difference from `sh -c cmd`: $LINENO counts from 2.
const REDIRECT = 'exec 2>&1\n';

/** Spawns from this process with node:child_process. */
export const launchDirect: Launcher = (spec, events) => startShell(spec, events).launched;

/** What the runner starts its runs with. */
export interface Spawner {
  readonly launch: Launcher;
  /** A run is due soon: get ready to start it (the spawn helper starts now rather than then). */
  prepare(): void;
  /**
   * Kill every run this spawner started unless `fence` is called again before `deadline` (a
   * performance.now() time). Only a spawner outside the agent's process can hold it while the agent
   * is stopped; the direct one leaves it to the agent's own fence.
   */
  fence(deadline: number): void;
}

/** The run's control channel, as the agent holds it: what the process writes, what it reads. */
interface ControlChannel {
  fromRun: Readable;
  toRun: Writable;
}

export const directSpawner: Spawner = { launch: launchDirect, prepare: () => {}, fence: () => {} };

function startShell(
  spec: LaunchSpec,
  events: LaunchEvents,
  control = false,
): { launched: Launched; control: ControlChannel | null } {
  const child = spawn('/bin/sh', ['-c', spec.script], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: control ? ['ignore', 'pipe', 'ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'ignore'],
  });
  const stdout = child.stdout as Readable;
  stdout.on('data', (data: Buffer) => events.output(data));
  // A pipe read error only means the output ended early; the exit status is still reported.
  stdout.on('error', () => {});
  stdout.on('close', () => events.outputEnd());
  // Spawn failures land here (no pid); later errors (none expected: we never use child.kill) are
  // ignored rather than left unhandled.
  child.on('error', (err) => {
    if (child.pid === undefined) events.failed(spawnErrorMessage(err, spec.cwd));
  });
  child.on('exit', (code, signal) => events.exit(code, signal));
  if (child.pid !== undefined) events.started(child.pid);
  return {
    launched: { closeOutput: () => stdout.destroy() },
    control: control
      ? { fromRun: child.stdio[3] as Readable, toRun: child.stdio[4] as Writable }
      : null,
  };
}

export function spawnRun(opts: SpawnRunOptions, launch: Launcher = launchDirect): RunningProcess {
  const cwdProblem = checkCwd(opts.cwd);
  if (cwdProblem) return failed(cwdProblem);

  const drainMs = opts.drainMs ?? DEFAULT_DRAIN_MS;
  let pid = 0;
  let resolveStarted!: (started: Started) => void;
  const started = new Promise<Started>((resolve) => (resolveStarted = resolve));
  let shellExit: ProcessExit | undefined;
  let resolveExited!: (exit: ProcessExit) => void;
  const exited = new Promise<ProcessExit>((resolve) => (resolveExited = resolve));
  const exitWaiters: (() => void)[] = [];
  let streamClosed = false;
  /** Whether the control channel, if the run has one, has closed. */
  let controlClosed = opts.onControl === undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let stopsInProgress = 0;
  let groupSettled = false;
  let launched: Launched | undefined;

  const maybeResolve = (): void => {
    if (shellExit && streamClosed && controlClosed) {
      if (drainTimer) clearTimeout(drainTimer);
      control?.toRun.destroy();
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
    if (!streamClosed || !controlClosed) {
      // A process that left the group (setsid, daemonising) may still hold the pipe open: read what
      // arrives for a short while, then stop waiting for it.
      drainTimer = setTimeout(() => {
        launched?.closeOutput();
        closeControl();
      }, drainMs);
      drainTimer.unref();
    }
  };

  const events: LaunchEvents = {
    started(p, at = performance.now()) {
      pid = p;
      resolveStarted({ pid: p, at });
    },
    failed(error) {
      if (shellExit) return;
      if (pid > 0) killGroup(pid, 'SIGKILL'); // lost after it started: nothing of it may go on
      shellExit = { exitCode: null, signal: null, error };
      resolveStarted({ pid, at: performance.now() });
      groupSettled = true;
      streamClosed = true;
      controlClosed = true;
      for (const wake of exitWaiters.splice(0)) wake();
      launched?.closeOutput();
      closeControl();
      maybeResolve();
    },
    output: (data) => opts.onOutput(data),
    outputEnd() {
      streamClosed = true;
      maybeResolve();
    },
    exit(code, signal) {
      if (shellExit) return;
      shellExit = { exitCode: code, signal };
      for (const wake of exitWaiters.splice(0)) wake();
      // A stop in progress lets the rest of the group finish its own cleanup within the grace period
      // (the shell itself dies at once on SIGTERM or SIGINT); stop() settles the group when that is over.
      if (stopsInProgress === 0) settleGroup();
      maybeResolve();
    },
  };

  const spec = { script: REDIRECT + opts.cmd, cwd: opts.cwd, env: opts.env };
  let control: ControlChannel | null = null;
  const closeControl = (): void => {
    control?.fromRun.destroy();
    control?.toRun.destroy();
  };
  try {
    if (opts.onControl) ({ launched, control } = startShell(spec, events, true));
    else launched = launch(spec, events);
  } catch (err) {
    return failed(launchErrorMessage(err, opts.cwd));
  }
  if (control && opts.onControl) {
    readJsonLines(control.fromRun, opts.onControl);
    // A write after the process exited: what it said is still read on the other socket.
    control.toRun.on('error', () => {});
    control.fromRun.once('close', () => {
      controlClosed = true;
      maybeResolve();
    });
  } else {
    controlClosed = true;
  }

  const waitShellExit = (): Promise<void> =>
    shellExit ? Promise.resolve() : new Promise((resolve) => exitWaiters.push(resolve));

  const stop = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    // A launcher may report the pid a moment after it was asked; the deadline starts from here.
    const deadline = Date.now() + Math.max(0, graceMs);
    await started;
    if (pid === 0 || groupSettled) return;
    stopsInProgress++;
    try {
      if (control && !control.toRun.destroyed && signal !== 'SIGKILL') {
        control.toRun.write(`${JSON.stringify({ type: 'stop', signal })}\n`);
      } else {
        killGroup(pid, signal);
      }
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
    if (control && !control.toRun.destroyed) control.toRun.write(`${JSON.stringify(message)}\n`);
  };

  return { started, exited, stop, send };
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
  // Every run's end asks for a group that is usually gone already (ESRCH): an error without a stack
  // trace costs a fraction of one with (it was ~2 % of the agent's CPU at 400 runs/s).
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
  }
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

/**
 * The message for a launcher's synchronous throw: an argument problem (a NUL byte in the command or an
 * env value) or an error of the exec itself that libuv reports at once (E2BIG).
 */
export function launchErrorMessage(err: unknown, cwd: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined && /^E[A-Z0-9]+$/.test(code)
    ? spawnErrorMessage(err as Error, cwd)
    : `could not start the job: ${errorMessage(err)}; check the command and its env`;
}

/** A failed spawn's message, naming the fix. */
export function spawnErrorMessage(err: Error, cwd: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    // Node reports a missing cwd as a missing /bin/sh; the cwd was checked just before, so say both.
    return `could not start /bin/sh in ${cwd} (ENOENT): /bin/sh or the working directory is missing`;
  }
  if (code === 'EACCES') {
    return `could not start /bin/sh in ${cwd} (EACCES): check the permissions of the working directory`;
  }
  if (code === 'E2BIG') {
    return 'could not start the job (E2BIG): its command and environment are too large (each value must be under 128 KiB); shorten them';
  }
  if (code === 'EAGAIN' || code === 'ENOMEM') {
    return `could not start the job (${code}): the host is out of processes or memory; retry later`;
  }
  return `could not start the job: ${err.message}`;
}

function failed(error: string): RunningProcess {
  return {
    started: Promise.resolve({ pid: 0, at: performance.now() }),
    exited: Promise.resolve({ exitCode: null, signal: null, error }),
    stop: () => Promise.resolve(),
    send: () => {},
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
