// How long each test file took, read from node:test's events, and the CPU its process tree used (from
// test/support/file-cpu.ts), so that every `npm test` ends by naming its slowest files and a file that
// grows slow, or costly for the files beside it, is seen before it makes the whole run slow.
import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';
import type { TopLevelTest } from './top-level-reporter.ts';

export interface FileDurations {
  /** Feed every event of a run of files in processes of their own; only file-level completions count. */
  observe(event: TestEvent): void;
  /** A top-level test of a file that ran in a shared process (top-level-reporter.ts). */
  observeShared(test: TopLevelTest): void;
  /** A shared process: its label (as its CPU is logged), how long it ran and how many files it ran. */
  observeProcess(label: string, ms: number, files: number): void;
  /** The CPU time a file's process (or a shared process) and the children it reaped used. */
  observeCpu(file: string, ms: number): void;
  /** The `shown` slowest files, slowest first, with the count and the summed time of all. */
  summary(shown: number): string;
  /** The files with a failed test. */
  failed(): string[];
}

export function createFileDurations(cwd = process.cwd()): FileDurations {
  const files = new Map<string, { ms: number; failed: boolean }>();
  const processes = new Map<string, { ms: number; files: number }>();
  const cpu = new Map<string, number>();
  const relative = (file: string): string => path.relative(cwd, path.resolve(cwd, file));
  /** The file-level test node:test reports for each file: named after the file's path. */
  const isFileLevel = (name: string, file: string): boolean => path.resolve(cwd, name) === file;
  return {
    observe(event) {
      if (event.type !== 'test:complete') return;
      const { data } = event;
      // With process isolation each file is reported as one top-level test named after its path.
      if (data.nesting !== 0 || data.file === undefined || !isFileLevel(data.name, data.file)) {
        return;
      }
      files.set(relative(data.file), {
        ms: data.details.duration_ms,
        failed: !data.details.passed,
      });
    },
    observeShared(test) {
      // In a shared process each top-level test of a file is reported on its own, beside the
      // file-level test, which covers only the file's import: together, the file's time.
      const key = relative(test.file);
      const seen = files.get(key) ?? { ms: 0, failed: false };
      files.set(key, { ms: seen.ms + test.ms, failed: seen.failed || !test.passed });
    },
    observeProcess(label, ms, count) {
      processes.set(label, { ms, files: count });
    },
    observeCpu(file, ms) {
      cpu.set(relative(file), ms);
    },
    summary(shown) {
      const sorted = [...files].sort((a, b) => b[1].ms - a[1].ms);
      const total = sorted.reduce((sum, [, f]) => sum + f.ms, 0);
      const cpuOf = (file: string): string => {
        const ms = cpu.get(file);
        return ms === undefined ? '' : `  (${seconds(ms)} s CPU)`;
      };
      const lines = sorted
        .slice(0, shown)
        .map(
          ([file, f]) =>
            `  ${seconds(f.ms).padStart(6)} s  ${file}${cpuOf(file)}${f.failed ? ' (failed)' : ''}`,
        );
      const shared = [...processes].map(
        ([label, p]) =>
          `  ${seconds(p.ms).padStart(6)} s  ${p.files} file${p.files === 1 ? '' : 's'} in ${label}${cpuOf(label)}`,
      );
      const cpuTotal = [...cpu.values()].reduce((sum, ms) => sum + ms, 0);
      const summed = `${seconds(total)} s summed${cpu.size > 0 ? `, ${seconds(cpuTotal)} s CPU` : ''}`;
      return [
        `slowest of ${files.size} test files (${summed}):`,
        ...lines,
        ...(shared.length > 0 ? ['the processes the unit test files shared:', ...shared] : []),
      ].join('\n');
    },
    failed() {
      return [...files].filter(([, f]) => f.failed).map(([file]) => file);
    },
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
