// Restart recovery: the previous agent's runs may still be running. Their recorded pgid could by now
// belong to an unrelated process group, so a group is killed only if one of its live members carries
// that run's BOSUN_RUN_ID in its environment.
import { readdirSync, readFileSync } from 'node:fs';
import { killGroup } from './spawn-run.ts';

/** SIGKILLs group `pgid` if it still runs run `runId`; true if it did. */
export function killRunGroup(pgid: number, runId: string): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) return false;
  const marker = `BOSUN_RUN_ID=${runId}`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (environ.includes(marker)) return killGroup(pgid, 'SIGKILL');
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return false;
}
