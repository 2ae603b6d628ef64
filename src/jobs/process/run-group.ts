// Restart recovery: the previous agent's runs may still be running. Their recorded pgid could by now
// belong to an unrelated process group (ids are reused, and the agent often runs as root), so a group
// is killed only while it is still the one the agent started: its leader has the start time recorded
// when the run started, or, the leader gone, a live member carries the run's BOSUN_RUN_ID in its
// environment. (Linux reuses no pid while a group or session still has it as its id, so a leaderless
// group with our id is ours unless ours ended entirely and the id was reused; the environment tells.)
import { readdirSync, readFileSync } from 'node:fs';
import { readPidStat } from '../../proc/pid-stat.ts';
import { killGroup } from './spawn-run.ts';

/** SIGKILLs group `pgid` if it still runs run `runId`; true if it did. */
export function killRunGroup(pgid: number, runId: string, leaderStart?: number): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  const leader = readPidStat(pgid);
  if (leader !== undefined && leader.pgrp === pgid && leaderStart !== undefined) {
    return leader.startTicks === leaderStart && killGroup(pgid, 'SIGKILL');
  }
  const marker = `BOSUN_RUN_ID=${runId}`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readPidStat(pid);
    if (stat === undefined || stat.pgrp !== pgid || stat.state === 'Z') continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (environ.includes(marker)) return killGroup(pgid, 'SIGKILL');
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return false;
}

/** The start time of process `pid` in clock ticks since boot, as /proc counts it. */
export function startTimeOf(pid: number): number | undefined {
  return readPidStat(pid)?.startTicks;
}
