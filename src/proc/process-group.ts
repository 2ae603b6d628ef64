// Whether a process group still lives, decided by /proc: the runner's stop and fence loops and the
// pipeline engine's tests ask it.
import { readdirSync } from 'node:fs';
import { readPidStat } from './pid-stat.ts';

/**
 * Whether group `pgid` still has a member that is not a zombie. Dead members can linger as zombies for
 * seconds until they are reaped, and signal 0 still finds those, so /proc decides.
 */
export function groupAlive(pgid: number): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    // EPERM: members exist but belong to someone else; /proc below still tells whether they live.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // No /proc: trust signal 0.
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readPidStat(name);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}
