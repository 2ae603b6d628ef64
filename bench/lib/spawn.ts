// Starting and stopping the benchmark's child processes: pinned to a CPU with taskset, each in its
// own process group (so a stop or a Ctrl-C reaches every descendant), with output drained.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { trackGroup, untrackGroup } from './cleanup.ts';

export interface Started {
  child: ChildProcess;
  /** The measured PID: taskset execs the command, so it is the command's own process. */
  pid: number;
  /** The last few KB of stdout and stderr, for error messages. */
  tail(): string;
  /** Resolves with the exit code (or 1 for a signal) once the process has exited and its output ended. */
  exited: Promise<number>;
}

const TAIL_BYTES = 8192;

/** Whether `taskset -c CPU` can be used here (the tool exists and the machine has that CPU). */
export function canPin(cpu: number): boolean {
  return existsSync('/usr/bin/taskset') && cpu < os.availableParallelism();
}

export function startPinned(
  cpu: number | undefined,
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' } = {},
): Started {
  const pinned = cpu !== undefined && canPin(cpu);
  const child = spawn(
    pinned ? 'taskset' : command,
    pinned ? ['-c', String(cpu), command, ...args] : args,
    {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  trackGroup(pid);
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString('utf8')).slice(-TAIL_BYTES);
  };
  // Always drained: a child blocked on a full pipe would distort every measurement.
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // 'close', not 'exit': the output can still be in the pipe when 'exit' comes (a wrk report read
  // as empty in the console bench's side-by-side rounds).
  const exited = new Promise<number>((resolve) =>
    child.once('close', (code) => {
      untrackGroup(pid);
      resolve(code ?? 1);
    }),
  );
  return { child, pid, tail: () => tail, exited };
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stopGroup(started: Started, graceMs = 5000): Promise<void> {
  const { child, pid } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  await started.exited;
  clearTimeout(timer);
  // Anything the leader left behind in its group goes too.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already empty
  }
}

/** Resolves with the first stdout line `pick` accepts; rejects on exit or after `timeoutMs`. */
export function waitForLine<T>(
  started: Started,
  pick: (line: string) => T | undefined,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffer = '';
    const done = (fn: () => void) => {
      clearTimeout(timer);
      started.child.stdout!.off('data', onData);
      fn();
    };
    const onData = (d: Buffer) => {
      buffer += d.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const value = pick(line);
        if (value !== undefined) return done(() => resolve(value));
      }
    };
    const timer = setTimeout(
      () =>
        done(() => reject(new Error(`no expected output in ${timeoutMs} ms:\n${started.tail()}`))),
      timeoutMs,
    );
    started.child.stdout!.on('data', onData);
    started.exited.then((code) =>
      done(() => reject(new Error(`exited with ${code} before it was ready:\n${started.tail()}`))),
    );
  });
}

/** Polls `url` until it answers 200; rejects after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A loopback port that was free a moment ago (the daemon binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The absolute path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}
