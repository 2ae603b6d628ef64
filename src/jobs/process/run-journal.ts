// The process groups this agent started, kept in a local file so that a restarted agent kills what its
// previous life left running, whatever the store says of those runs by then: another node may have
// reaped and retried them while this one was down. One line per event, appended with a write(2) that a
// SIGKILL cannot undo (the page cache outlives the process; a power loss takes the processes with it):
//   + <runId> <pgid> <leader start time> <boot id>
//   - <runId>
import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { killRunGroup, startTimeOf } from './run-group.ts';

export interface RunJournal {
  /** A run's group started, led by `pgid`. */
  started(runId: string, pgid: number): void;
  /** A run's group is gone. */
  ended(runId: string): void;
  close(): void;
}

export interface LeftBehind {
  runId: string;
  pgid: number;
}

interface Entry {
  pgid: number;
  start: number;
  boot: string;
}

/** Rewritten to its live entries once it holds this many lines. */
const COMPACT_LINES = 4096;

/**
 * Opens the journal at `file`: first kills every group a previous life recorded and that is still the
 * one it started (same boot, same leader start time, or the run id in a member's environment), and
 * reports them.
 */
export function openRunJournal(file: string): { journal: RunJournal; killed: LeftBehind[] } {
  const boot = bootId();
  const killed: LeftBehind[] = [];
  for (const [runId, e] of read(file)) {
    if (e.boot === boot && killRunGroup(e.pgid, runId, e.start)) {
      killed.push({ runId, pgid: e.pgid });
    }
  }
  const live = new Map<string, Entry>();
  let fd = reopen(file, live);
  let lines = 0;

  const append = (line: string): void => {
    writeSync(fd, line);
    if (++lines >= COMPACT_LINES) {
      closeSync(fd);
      fd = reopen(file, live);
      lines = live.size;
    }
  };

  return {
    killed,
    journal: {
      started(runId, pgid) {
        const start = startTimeOf(pgid);
        if (start === undefined) return; // already gone: nothing to leave behind
        live.set(runId, { pgid, start, boot });
        append(`+ ${runId} ${pgid} ${start} ${boot}\n`);
      },
      ended(runId) {
        if (live.delete(runId)) append(`- ${runId}\n`);
      },
      close: () => closeSync(fd),
    },
  };
}

/** Writes the live entries to a fresh file (atomically) and opens it for appending. */
function reopen(file: string, live: ReadonlyMap<string, Entry>): number {
  let text = '';
  for (const [runId, e] of live) text += `+ ${runId} ${e.pgid} ${e.start} ${e.boot}\n`;
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return openSync(file, 'a', 0o600);
}

function read(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return entries; // none yet
  }
  for (const line of text.split('\n')) {
    const [op, runId, pgid, start, boot] = line.split(' ');
    if (runId === undefined) continue;
    // A torn last line (a crash mid-write) lacks fields and is skipped.
    if (op === '+' && boot !== undefined) {
      entries.set(runId, { pgid: Number(pgid), start: Number(start), boot });
    } else if (op === '-') {
      entries.delete(runId);
    }
  }
  return entries;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
  } catch {
    return 'unknown';
  }
}
