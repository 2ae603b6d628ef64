// Loaded into a benchmarked agent with NODE_OPTIONS=--import: records the agent's own event-loop
// delay (the longest block in each quarter second) into the file SCALE_LOOP_FILE names, so a
// benchmark sees how long a request or a housekeeping pass held the loop without asking the agent.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.SCALE_LOOP_FILE;
if (file !== undefined && file !== '') {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    // Lines of "<epoch ms> <max delay ms>"; the reader picks the windows it wants.
    appendFileSync(file, `${Date.now()} ${(histogram.max / 1e6).toFixed(1)}\n`);
    histogram.reset();
  }, 250);
  timer.unref();
}

/** The longest loop delay recorded in `text` (the probe's file) between two epoch times, ms. */
export function longestBlock(text: string, from: number, to: number): number {
  let max = 0;
  for (const line of text.split('\n')) {
    const [at, ms] = line.split(' ').map(Number);
    if (at === undefined || ms === undefined || !Number.isFinite(ms)) continue;
    if (at > from && at <= to + 500) max = Math.max(max, ms);
  }
  return max;
}
