// Starts the real agent (bin/bosun serve) as a child process for end-to-end tests, on a free port with
// a temporary data dir, and resolves once it logs that it is listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BOSUN = path.join(ROOT, 'bin', 'bosun');
// How long an agent may take to listen and a command to finish before the test gives up on it: they
// take a second or two, but many times that on a loaded machine with other test files beside them,
// and a deadline that load can miss is a flake, not a finding.
const START_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 60_000;

export interface RunningAgent {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), remove the data dir unless kept. Returns the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Reuse a data dir (kept on stop). */
  dataDir?: string;
  timeoutMs?: number;
}

export async function startAgent(opts: StartOptions = {}): Promise<RunningAgent> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'bosun-test-'));
  const args = [
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--interval',
    '500ms',
    '--log-format',
    'json',
    ...(opts.args ?? []),
  ];
  const child = spawn(BOSUN, args, {
    cwd: ROOT,
    env: { ...cleanEnv(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`agent did not start in time\nstdout:\n${out}\nstderr:\n${err}`)),
      opts.timeoutMs ?? START_TIMEOUT_MS,
    );
    const onData = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('bosun listening')) continue;
        try {
          const parsed = JSON.parse(line) as { url?: string };
          if (parsed.url) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve(parsed.url);
            return;
          }
        } catch {
          // not a complete JSON line yet
        }
      }
    };
    child.stdout!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`agent exited with ${code} before listening\nstdout:\n${out}\nstderr:\n${err}`),
      );
    });
  });

  let url: string;
  try {
    url = await listening;
  } catch (err) {
    // An agent that did not come up must not outlive the test: its pipes would keep the test's
    // process, and with it the whole run, waiting for ever.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    dataDir,
    child,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(kill);
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** The spawn helper (spawn-helper.pl) of the agent process `agentPid`. */
export function spawnHelperOf(agentPid: number): number {
  const children = readFileSync(`/proc/${agentPid}/task/${agentPid}/children`, 'utf8');
  for (const pid of children.trim().split(' ').filter(Boolean)) {
    if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('spawn-helper.pl')) {
      return Number(pid);
    }
  }
  throw new Error(`agent ${agentPid} has no spawn helper`);
}

/** Runs `bosun ARGS` to completion and returns its exit code and output. */
export function runBosun(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BOSUN, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...cleanEnv(), ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`bosun ${args.join(' ')} did not finish\nstdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    }, opts.timeoutMs ?? COMMAND_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The test's environment without BOSUN_* settings, so a developer's shell never changes a test, nor an
 * installed agent's /etc/bosun/bosun.yaml (an empty BOSUN_CONFIG reads no file).
 */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = { BOSUN_CONFIG: '' };
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('BOSUN_')) env[k] = v;
  }
  return env;
}
