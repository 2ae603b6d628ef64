// How long each test file took, read from node:test's events, and the CPU its process tree used (from
// test/support/file-cpu.ts), so that every `npm test` ends by naming its slowest files and a file that
// grows slow, or costly for the files beside it, is seen before it makes the whole run slow.
import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';

export interface FileDurations {
  /** Feed every event of a run; only the file-level completions count. */
  observe(event: TestEvent): void;
  /** The CPU time a file's process and the children it reaped used, as file-cpu.ts logs it. */
  observeCpu(file: string, ms: number): void;
  /** The `shown` slowest files, slowest first, with the count and the summed time of all. */
  summary(shown: number): string;
}

export function createFileDurations(cwd = process.cwd()): FileDurations {
  const files = new Map<string, { ms: number; failed: boolean }>();
  const cpu = new Map<string, number>();
  return {
    observe(event) {
      if (event.type !== 'test:complete') return;
      const { data } = event;
      // With process isolation each file is reported as one top-level test named after its path.
      if (data.nesting !== 0 || data.file === undefined) return;
      if (path.resolve(cwd, data.name) !== data.file) return;
      files.set(path.relative(cwd, data.file), {
        ms: data.details.duration_ms,
        failed: !data.details.passed,
      });
    },
    observeCpu(file, ms) {
      cpu.set(path.relative(cwd, path.resolve(cwd, file)), ms);
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
      const cpuTotal = [...cpu.values()].reduce((sum, ms) => sum + ms, 0);
      const summed = `${seconds(total)} s summed${cpu.size > 0 ? `, ${seconds(cpuTotal)} s CPU` : ''}`;
      return [`slowest of ${files.size} test files (${summed}):`, ...lines].join('\n');
    },
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
