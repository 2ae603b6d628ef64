// How busy the machine was with other work during a measurement: CPU time of all CPUs (/proc/stat)
// minus what this benchmark's own processes used (this process and the live processes it names, each
// with its live descendants and everything they reaped). On a shared machine a run that competed with
// someone's test suite is told apart from one that did not.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { readPidStat } from '../../src/proc/pid-stat.ts';
import { liveChildren, ticksToSeconds } from './proc.ts';

interface Snapshot {
  at: number;
  busy: number;
  steal: number;
  own: number;
}

/** utime + stime + cutime + cstime, in ticks; 0 once gone. */
function treeTicks(pid: number): number {
  const stat = readPidStat(pid);
  return stat === undefined ? 0 : stat.cpuTicks + stat.reapedCpuTicks;
}

/** `pid` and its live descendants (the agent's spawn helper, and what that runs), into `into`. */
function addLiveTree(pid: number, into: Set<number>): void {
  if (into.has(pid)) return;
  into.add(pid);
  // What a process reaped is in its own cutime: only the live ones are added.
  for (const child of liveChildren(pid)) addLiveTree(child, into);
}

function take(pids: readonly number[]): Snapshot {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const v = cpu.map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = v[0]! + v[1]! + v[2]! + v[5]! + v[6]!;
  const tree = new Set<number>();
  for (const pid of [process.pid, ...pids]) addLiveTree(pid, tree);
  let own = 0;
  for (const pid of tree) own += treeTicks(pid);
  return { at: performance.now(), busy, steal: v[7]!, own };
}

export interface HostLoad {
  /** Other processes' CPU, % of one core (the machine has `cores`). */
  otherPercent: number;
  /** Stolen by the hypervisor, % of one core. */
  stealPercent: number;
}

/**
 * Starts watching; `end()` gives the load of everything else since. `pids` are the live processes
 * of this benchmark that are not its children's children (e.g. the agents it started).
 */
export function watchHostLoad(pids: () => readonly number[]): { end(): HostLoad } {
  const ids0 = pids();
  const s0 = take(ids0);
  return {
    end() {
      // The same processes at both ends: one that exited in between is counted in our cutime.
      const s1 = take(ids0);
      const seconds = (s1.at - s0.at) / 1000;
      const pct = (ticks: number) => (ticksToSeconds(ticks) / seconds) * 100;
      return {
        otherPercent: Math.max(0, pct(s1.busy - s0.busy - (s1.own - s0.own))),
        stealPercent: pct(s1.steal - s0.steal),
      };
    },
  };
}

export const CORES = os.availableParallelism();

export function describeLoad(l: HostLoad): string {
  return `other processes ${l.otherPercent.toFixed(0)} % of a core (of ${CORES * 100} %), steal ${l.stealPercent.toFixed(0)} %`;
}
