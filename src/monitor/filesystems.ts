// Filesystem usage per mount through statfs, raced against a timeout: a hung mount (a dead NFS server)
// never stalls a tick. It is marked `error: 'timeout'`, keeps its last known figures, and gets no second
// statfs until the first returns (each hung call holds a libuv pool thread).
import { statfs as statfsAsync } from 'node:fs/promises';
import type { MountEntry } from './mounts.ts';
import { round1 } from './round.ts';
import type { FilesystemRow } from './snapshot.ts';

export interface StatfsResult {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

export type StatfsFn = (path: string) => Promise<StatfsResult>;

export interface FilesystemReader {
  read(mounts: readonly MountEntry[]): Promise<FilesystemRow[]>;
}

interface MountState {
  pending?: Promise<void>;
  last?: StatfsResult;
  error?: string;
}

export function createFilesystemReader(opts: {
  timeoutMs: number;
  statfs?: StatfsFn;
}): FilesystemReader {
  const statfs = opts.statfs ?? ((path: string) => statfsAsync(path));
  const states = new Map<string, MountState>();

  const start = (mount: string, state: MountState): Promise<void> => {
    const p = statfs(mount).then(
      (result) => {
        state.last = result;
        state.error = undefined;
      },
      (err: unknown) => {
        state.error = (err as NodeJS.ErrnoException).code ?? String(err);
      },
    );
    state.pending = p.finally(() => {
      state.pending = undefined;
    });
    return state.pending;
  };

  return {
    async read(mounts) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(resolve, opts.timeoutMs, 'timeout');
        timer.unref();
      });
      try {
        return await Promise.all(
          mounts.map(async (m) => {
            let state = states.get(m.mount);
            if (!state) states.set(m.mount, (state = {}));
            if (state.pending) return toRow(m, state.last, 'timeout');
            const outcome = await Promise.race([start(m.mount, state), deadline]);
            return toRow(m, state.last, outcome === 'timeout' ? 'timeout' : state.error);
          }),
        );
      } finally {
        clearTimeout(timer);
        // Forget mounts that went away, unless a call for them is still out.
        if (states.size > mounts.length) {
          const live = new Set(mounts.map((m) => m.mount));
          for (const [mount, state] of states) {
            if (!live.has(mount) && !state.pending) states.delete(mount);
          }
        }
      }
    },
  };
}

/** Usage the way df counts it: percent of the space non-root users can have. */
export function toRow(
  m: MountEntry,
  s: StatfsResult | undefined,
  error: string | undefined,
): FilesystemRow {
  const total = s ? s.blocks * s.bsize : 0;
  const used = s ? (s.blocks - s.bfree) * s.bsize : 0;
  const available = s ? s.bavail * s.bsize : 0;
  const inodesTotal = s?.files ?? 0;
  const inodesUsed = s ? Math.max(0, s.files - s.ffree) : 0;
  const row: FilesystemRow = {
    mount: m.mount,
    device: m.device,
    fstype: m.fstype,
    total,
    used,
    percent: used + available > 0 ? round1((used / (used + available)) * 100) : 0,
    available,
    inodes_total: inodesTotal,
    inodes_used: inodesUsed,
    inodes_percent: inodesTotal > 0 ? round1((inodesUsed / inodesTotal) * 100) : 0,
    readonly: m.readonly,
  };
  if (error !== undefined) row.error = error;
  return row;
}
