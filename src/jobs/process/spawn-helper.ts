// Spawns job shells through a small helper process (spawn-helper.pl) instead of forking the agent:
// fork() copies the page tables of whoever calls it, so a ~5 MiB helper starts a run for a fraction
// of what the ~100 MiB agent pays, and the agent's event loop no longer blocks in fork at all
// (docs/performance.md, Jobs). The helper starts when a run is due soon or with the first run. Where
// it cannot run (no /usr/bin/perl, a kernel without pidfd_open) runs are spawned directly, as they are
// for runs with a control channel; if it dies, the runs it held fail, their processes killed, and the
// next run starts a new one. It also holds the fence (Spawner.fence): it kills the runs itself when
// the agent stops renewing their leases, even while the agent is stopped, and when the agent dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  launchDirect,
  launchErrorMessage,
  spawnErrorMessage,
  type LaunchEvents,
  type Launched,
  type Launcher,
  type LaunchSpec,
  type Spawner,
} from './spawn-run.ts';

const SCRIPT = fileURLToPath(new URL('./spawn-helper.pl', import.meta.url));
const HEADER_BYTES = 9; // length (4), op (1), run id (4)
/** The helper's exit status when the kernel has no pidfd_open. */
const NO_PIDFD = 3;

export interface SpawnHelper extends Spawner {
  /** Lets the helper exit; it kills any run still going (the agent stops them first). */
  close(): void;
}

export interface SpawnHelperOptions {
  /** @default '/usr/bin/perl' */
  perl?: string;
  /** Told once why runs are spawned directly from now on. */
  onUnavailable?: (reason: string) => void;
}

interface HelperRun {
  events: LaunchEvents;
  cwd: string;
  exited: boolean;
  outputEnded: boolean;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);
const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name]),
);

export function createSpawnHelper(options: SpawnHelperOptions = {}): SpawnHelper {
  const perl = options.perl ?? '/usr/bin/perl';
  let state: 'off' | 'starting' | 'ready' | 'direct' = 'off';
  let helper: ChildProcess | undefined;
  /** Launches asked for while the helper starts; sent once it says it is ready. */
  const waiting: Array<() => void> = [];
  const runs = new Map<number, HelperRun>();
  let seq = 0;
  let stderr = '';
  /** The fence's deadline (performance.now()), sent again to a helper that (re)starts. */
  let fenceAt: number | undefined;

  const goDirect = (reason: string): void => {
    state = 'direct';
    options.onUnavailable?.(reason);
  };

  function start(): void {
    try {
      accessSync(perl, fsConstants.X_OK);
    } catch {
      return goDirect(`${perl} is not there to run the spawn helper`);
    }
    state = 'starting';
    // Its own session: a Ctrl-C at the agent's terminal must not kill the helper under running jobs.
    const child = spawn(perl, [SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: {},
    });
    helper = child;
    let pending: Buffer = Buffer.alloc(0);
    child.stdout?.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (pending.length - at >= 4) {
        const end = at + 4 + pending.readUInt32BE(at);
        if (pending.length < end) break;
        receive(pending[at + 4] as number, pending.readUInt32BE(at + 5), pending, at + 9, end);
        at = end;
      }
      pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500);
    });
    const gone = (why: string): void => {
      if (helper !== child) return;
      helper = undefined;
      if (state === 'starting') {
        goDirect(why);
        for (const send of waiting.splice(0)) send();
        return;
      }
      if (state === 'ready') state = 'off'; // the next run starts a new one
      for (const run of runs.values()) {
        run.events.failed(`${why}; the run's processes were killed and its exit status is unknown`);
      }
      runs.clear();
    };
    child.stdin?.on('error', () => {}); // a dead helper: 'exit' deals with it
    // Only a spawn that failed (no 'exit' follows); later errors are about signals we never send.
    child.on('error', (err) => {
      if (child.pid === undefined) gone(`the spawn helper could not start (${err.message})`);
    });
    child.on('exit', (code, signal) => {
      const tail = stderr ? `: ${stderr.trim()}` : '';
      gone(
        code === NO_PIDFD
          ? 'the kernel has no pidfd_open (Linux < 5.3)'
          : `the spawn helper exited (${signal ?? `code ${code}`})${tail}`,
      );
    });
  }

  function receive(op: number, id: number, frame: Buffer, from: number, to: number): void {
    if (op === 0x52 /* R */) {
      if (state === 'starting') state = 'ready';
      sendFence(); // before any run starts
      for (const send of waiting.splice(0)) send();
      return;
    }
    const run = runs.get(id);
    if (run === undefined) return;
    switch (op) {
      case 0x50 /* P */:
        run.events.started(frame.readUInt32BE(from), execAt(frame, from + 4, to));
        break;
      case 0x4f /* O */:
        // A copy: the log keeps chunks, and a slice would keep the whole read buffer alive.
        run.events.output(Buffer.from(frame.subarray(from, to)));
        break;
      case 0x44 /* D */:
        run.outputEnded = true;
        run.events.outputEnd();
        break;
      case 0x58 /* X */: {
        const code = frame.readInt32BE(from);
        const signal = signalNames.get(frame.readUInt32BE(from + 4)) ?? null;
        run.exited = true;
        run.events.exit(code < 0 ? null : code, signal);
        break;
      }
      case 0x45 /* E */: {
        // "stage errno": the fork, the chdir or the exec failed, as a direct spawn would report it.
        const [, errno] = frame.toString('latin1', from, to).split(' ');
        const code = errnoNames.get(Number(errno)) ?? `errno ${errno}`;
        const err = Object.assign(new Error(`spawn /bin/sh ${code}`), { code });
        runs.delete(id);
        run.events.failed(spawnErrorMessage(err, run.cwd));
        return;
      }
    }
    if (run.exited && run.outputEnded) runs.delete(id);
  }

  function frame(op: string, id: number, body: Buffer): Buffer {
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32BE(HEADER_BYTES - 4 + body.length, 0);
    header.write(op, 4, 'latin1');
    header.writeUInt32BE(id, 5);
    return Buffer.concat([header, body]);
  }

  function sendFence(): void {
    if (fenceAt === undefined || state !== 'ready') return;
    const body = Buffer.allocUnsafe(4);
    body.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.ceil(fenceAt - performance.now()))));
    helper?.stdin?.write(frame('F', 0, body));
  }

  const launch: Launcher = (spec, events) => {
    if (state === 'off') start();
    if (state === 'direct') return launchDirect(spec, events);
    const body = encode(spec);
    seq = (seq % 0xffffffff) + 1;
    const id = seq;
    let closed = false;
    // Runs asked for before the helper is ready wait for it, or go direct if it never is.
    let redirected: Launched | undefined;
    const send = (): void => {
      if (state === 'direct') {
        try {
          redirected = launchDirect(spec, events);
        } catch (err) {
          events.failed(launchErrorMessage(err, spec.cwd));
        }
        return;
      }
      runs.set(id, { events, cwd: spec.cwd, exited: false, outputEnded: false });
      helper?.stdin?.write(frame('S', id, body));
    };
    if (state === 'ready') send();
    else waiting.push(send);
    return {
      closeOutput() {
        if (redirected) return redirected.closeOutput();
        if (closed || !runs.has(id)) return;
        closed = true;
        helper?.stdin?.write(frame('C', id, Buffer.alloc(0)));
      },
    };
  };

  return {
    launch,
    prepare() {
      if (state === 'off') start();
    },
    fence(deadline) {
      fenceAt = deadline;
      sendFence();
    },
    close() {
      state = 'direct';
      for (const send of waiting.splice(0)) send(); // spawned directly now
      helper?.stdin?.end();
    },
  };
}

/** cwd, script and NAME=value pairs, NUL-separated; NUL itself is what no exec can take. */
function encode(spec: LaunchSpec): Buffer {
  const fields = [path.resolve(spec.cwd), spec.script];
  for (const [name, value] of Object.entries(spec.env)) fields.push(`${name}=${value}`);
  for (const field of fields) {
    if (field.includes('\0')) {
      throw new TypeError(
        `the command, its cwd or its env contains a NUL byte: ${field.slice(0, 40)}`,
      );
    }
  }
  return Buffer.from(fields.join('\0'));
}

/**
 * The helper's CLOCK_MONOTONIC reading of an exec (seconds, nanoseconds) as performance.now(), which
 * counts on the same clock; undefined when the helper could not read it.
 */
function execAt(frame: Buffer, from: number, to: number): number | undefined {
  if (to - from < 8) return undefined;
  const ms = frame.readUInt32BE(from) * 1000 + frame.readUInt32BE(from + 4) / 1e6;
  if (ms === 0) return undefined;
  const at = performance.now() - (Number(process.hrtime.bigint()) / 1e6 - ms);
  return Math.min(at, performance.now());
}
