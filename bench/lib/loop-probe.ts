// Loaded into a benchmarked agent with NODE_OPTIONS=--import: records the agent's own event-loop
// delay (the longest block in each quarter second) into the file SCALE_LOOP_FILE names, so a
// benchmark sees how long a request or a housekeeping pass held the loop without asking the agent.
// Beside it, the most CPU the main thread used between two ticks of a 5 ms timer: on a machine
// shared with other work the wall-clock delay also counts the time the agent was not scheduled at
// all, while a task that held the loop for X ms of CPU shows here as X or more, whatever the load.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.SCALE_LOOP_FILE;
if (file !== undefined && file !== '') {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const cpuMs = (): number => {
    const { user, system } = process.threadCpuUsage();
    return (user + system) / 1000;
  };
  let lastCpu = cpuMs();
  let maxCpu = 0;
  const tick = setInterval(() => {
    const now = cpuMs();
    maxCpu = Math.max(maxCpu, now - lastCpu);
    lastCpu = now;
  }, 5);
  tick.unref();
  const timer = setInterval(() => {
    // Lines of "<epoch ms> <max delay ms> <max main-thread CPU ms between two ticks>".
    appendFileSync(
      file,
      `${Date.now()} ${(histogram.max / 1e6).toFixed(1)} ${maxCpu.toFixed(1)}\n`,
    );
    histogram.reset();
    maxCpu = 0;
  }, 250);
  timer.unref();
}

/**
 * The longest loop delay recorded in `text` (the probe's file) between two epoch times, ms; with
 * `cpu`, the most main-thread CPU between two ticks instead.
 */
export function longestBlock(text: string, from: number, to: number, cpu = false): number {
  let max = 0;
  for (const line of text.split('\n')) {
    const [at, wall, cpuMs] = line.split(' ').map(Number);
    const ms = cpu ? cpuMs : wall;
    if (at === undefined || ms === undefined || !Number.isFinite(ms)) continue;
    if (at > from && at <= to + 500) max = Math.max(max, ms);
  }
  return max;
}
