// What runs where, for a thread dump: the agent's own threads (from /proc, through the one
// /proc/<pid>/stat parser) and each running pipeline engine, a process of its own. Surfaces render it.
import { readdirSync, readFileSync } from 'node:fs';
import { parsePidStat } from '../proc/pid-stat.ts';
import type { JobState } from './jobs-service.ts';
import type { Job } from '../model/jobs.ts';
import type { Run } from '../model/runs.ts';

export interface AgentThread {
  /** The thread id (a pid in /proc's numbering). */
  tid: number;
  /** Its name (comm), e.g. `node`, `libuv-worker`, `V8 DefaultWorke`. */
  name: string;
  /** The kernel's one-letter state (R, S, D, …); `?` when the thread ended while being read. */
  state: string;
}

export interface EngineProcess {
  job: Job;
  /** A running run, with the process group of its engine. */
  run: Run & { pgid: number };
}

export interface ThreadDump {
  threads: AgentThread[];
  engines: EngineProcess[];
}

/** The threads of this process; `taskDir` is /proc/self/task but for tests. */
export function agentThreads(taskDir = '/proc/self/task'): AgentThread[] {
  return agentThreadTimes(taskDir).map(({ tid, name, state }) => ({ tid, name, state }));
}

/** A thread with what a CPU sampler needs (the console's `thread` and `dashboard`). */
export interface AgentThreadTimes extends AgentThread {
  /** User and system CPU time since the thread started, in USER_HZ ticks (0 when it ended). */
  cpuTicks: number;
  /** Its nice value. */
  nice: number;
  /** When it started, in USER_HZ ticks after boot. */
  startTicks: number;
}

/** The threads of this process with their CPU time; `taskDir` is /proc/self/task but for tests. */
export function agentThreadTimes(taskDir = '/proc/self/task'): AgentThreadTimes[] {
  let tids: string[];
  try {
    tids = readdirSync(taskDir);
  } catch {
    return []; // no /proc (not Linux): no threads to show
  }
  return tids.map((tid) => {
    let stat;
    try {
      stat = parsePidStat(readFileSync(`${taskDir}/${tid}/stat`, 'utf8'));
    } catch {
      stat = undefined; // the thread ended meanwhile
    }
    return {
      tid: Number(tid),
      name: stat?.name ?? 'thread',
      state: stat?.state ?? '?',
      cpuTicks: stat?.cpuTicks ?? 0,
      nice: stat?.nice ?? 0,
      startTicks: stat?.startTicks ?? 0,
    };
  });
}

/** The agent's threads and the engines of the running pipeline runs among `pipelines`. */
export function threadDump(pipelines: readonly JobState[], taskDir?: string): ThreadDump {
  const engines: EngineProcess[] = [];
  for (const { job, lastRun: run } of pipelines) {
    if (run?.state === 'running' && run.pgid !== undefined) {
      engines.push({ job, run: { ...run, pgid: run.pgid } });
    }
  }
  return { threads: agentThreads(taskDir), engines };
}
