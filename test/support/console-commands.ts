// Test support for the console commands (src/console/commands): real agent parts (host monitor, SQLite
// jobs store, runner and jobs service, runtime stats) in a temporary dir, a fake session, and helpers
// that parse argv and run a command or a pipe stage the way the console core does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMonitor } from '../../src/monitor/collector.ts';
import { createRuntimeStats } from '../../src/monitor/runtime-stats.ts';
import { createJobsCore } from './jobs-core.ts';
import {
  parseCommandArgs,
  type CommandSpec,
  type ConsoleDeps,
  type ConsoleJobInfo,
  type SessionView,
  type StageSpec,
} from '../../src/console/command.ts';
import { CommandFailure, type ItemBody, type ResultItem } from '../../src/console/model.ts';

export interface TestDeps {
  readonly deps: ConsoleDeps;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Real agent parts over a temporary dir; the host monitor only when asked (it samples /proc). */
export async function createTestDeps(
  opts: { monitor?: boolean; env?: Record<string, string>; readOnly?: boolean } = {},
): Promise<TestDeps> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bosun-console-'));
  const logger = silentLogger();
  const config = loadConfig({
    flags: {
      'data-dir': dataDir,
      token: 'test-token-value',
      ...(opts.readOnly === true ? { 'read-only': true } : {}),
    },
    env: {},
    cwd: dataDir,
  });
  const { store, runner, jobs, nodeId } = await createJobsCore(dataDir, {
    slots: 4,
    logger,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    claimOnPoke: true,
  });
  const monitor = createMonitor({ intervalMs: 60_000, logger, version: '0.0.0-test' });
  if (opts.monitor === true) await monitor.start();
  const runtime = createRuntimeStats();
  const deps: ConsoleDeps = {
    monitor,
    jobs,
    config,
    runtime,
    logger,
    version: '0.0.0-test',
    nodeId,
    startedAt: Date.now() - 90_000,
    dumpDir: path.join(dataDir, 'dumps'),
    env: opts.env ?? { PATH: '/usr/bin', API_TOKEN: 'hunter2', HOME: '/root' },
  };
  return {
    deps,
    dataDir,
    async close() {
      await runner.shutdown(1000);
      await monitor.stop();
      runtime.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FakeSession extends SessionView {
  readonly killed: number[];
  readonly moved: Array<{ to: 'fg' | 'bg'; jobId: number }>;
}

export function fakeSession(
  opts: { history?: string[]; jobs?: ConsoleJobInfo[]; refuse?: string } = {},
): FakeSession {
  const killed: number[] = [];
  const moved: Array<{ to: 'fg' | 'bg'; jobId: number }> = [];
  const jobs = opts.jobs ?? [];
  return {
    id: 'session-1',
    createTime: 1_700_000_000_000,
    lastAccessTime: 1_700_000_060_000,
    consumers: () => [{ id: 'consumer-1', lastAccessTime: 1_700_000_060_000 }],
    history: () => opts.history ?? [],
    jobs: () => jobs,
    kill(jobId) {
      if (!jobs.some((j) => j.id === jobId)) return false;
      killed.push(jobId);
      return true;
    },
    foreground(jobId) {
      if (opts.refuse !== undefined) return opts.refuse;
      moved.push({ to: 'fg', jobId });
      return undefined;
    },
    background(jobId) {
      if (opts.refuse !== undefined) return opts.refuse;
      moved.push({ to: 'bg', jobId });
      return undefined;
    },
    killed,
    moved,
  };
}

/**
 * Runs a command as the core does (parse, then run) and returns what it emitted. `sleep` returns at
 * once, so streaming commands run through their cycles without waiting; `onItem` may abort.
 */
export async function runCommand(
  command: CommandSpec,
  argv: readonly string[],
  deps: ConsoleDeps,
  opts: {
    session?: SessionView;
    controller?: AbortController;
    onItem?: (item: ResultItem, all: readonly ResultItem[]) => void;
    jobId?: number;
  } = {},
): Promise<ResultItem[]> {
  const args = parseCommandArgs(command, argv);
  if (args === undefined) throw new Error('runCommand: -h is the core’s business');
  const controller = opts.controller ?? new AbortController();
  const jobId = opts.jobId ?? 1;
  const items: ResultItem[] = [];
  await command.run(
    {
      jobId,
      deps,
      session: opts.session ?? fakeSession(),
      signal: controller.signal,
      emit<T extends ItemBody>(item: T) {
        const full = { ...item, jobId } as unknown as ResultItem;
        items.push(full);
        opts.onItem?.(full, items);
      },
      sleep: (_ms: number) =>
        new Promise<boolean>((resolve) => setImmediate(() => resolve(!controller.signal.aborted))),
    },
    args,
  );
  return items;
}

/** Feeds lines through a pipe stage built from argv; returns the lines it passes on. */
export function runStage(
  stage: StageSpec,
  argv: readonly string[],
  lines: readonly string[],
): string[] {
  const args = parseCommandArgs(stage, argv);
  if (args === undefined) throw new Error('runStage: -h is the core’s business');
  const s = stage.create(args);
  return [...lines.flatMap((l) => s.line(l)), ...s.end()];
}

/** The CommandFailure `fn` throws; fails the test when it throws nothing or something else. */
export function failure(fn: () => unknown): CommandFailure {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CommandFailure, String(err));
    return err;
  }
  assert.fail('expected a CommandFailure');
}
