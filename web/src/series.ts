// The charts' data: columns of history points, seeded from /api/v1/history, appended from /ws,
// bounded to an hour, with a null row where the agent was unreachable so lines break there
// instead of drawing a straight line across the outage. Pure: series.test.ts covers it.
import type { HistoryPoint, Snapshot } from './types.ts';

export const FIELDS = ['cpu', 'mem', 'swap', 'net_rx', 'net_tx', 'disk_r', 'disk_w'] as const;
export type Field = (typeof FIELDS)[number];

/** One history point from a snapshot, computed the way the agent records its history. */
export function pointOf(snapshot: Snapshot): HistoryPoint {
  let diskR = 0;
  let diskW = 0;
  for (const io of snapshot.disk.io) {
    diskR += io.read_bytes_sec;
    diskW += io.write_bytes_sec;
  }
  return {
    t: Date.parse(snapshot.timestamp) / 1000,
    cpu: snapshot.cpu.total_percent,
    mem: snapshot.memory.percent,
    swap: snapshot.memory.swap_percent,
    load1: snapshot.load.load1,
    net_rx: snapshot.network.total_download_sec,
    net_tx: snapshot.network.total_upload_sec,
    disk_r: diskR,
    disk_w: diskW,
    score: snapshot.health.score,
  };
}

export interface Series {
  /** Unix seconds, ascending. */
  readonly t: number[];
  readonly values: Readonly<Record<Field, (number | null)[]>>;
  /** Adds points (any order, duplicates ignored); returns whether anything changed. */
  add(points: readonly HistoryPoint[]): boolean;
  /** The sampling interval, used to spot gaps; the agent's history endpoint reports it. */
  setInterval(seconds: number): void;
  lastT(): number | undefined;
  /** Index of the first point at or after `t` (binary search). */
  indexAt(t: number): number;
}

export function createSeries(maxAgeSec = 3600): Series {
  const t: number[] = [];
  const values = Object.fromEntries(FIELDS.map((f) => [f, [] as (number | null)[]])) as Record<
    Field,
    (number | null)[]
  >;
  let interval = 3;

  const push = (time: number, point: HistoryPoint | null): void => {
    t.push(time);
    for (const f of FIELDS) values[f].push(point ? point[f] : null);
  };

  // Two timestamps this close are the same tick seen twice (history, then /ws).
  const same = (a: number, b: number): boolean => Math.abs(a - b) < Math.min(0.25, interval / 4);

  const append = (point: HistoryPoint): void => {
    const last = t.at(-1);
    // A missed stretch longer than a few ticks gets a null row so uPlot leaves a gap.
    if (last !== undefined && point.t - last > Math.max(interval * 5, 2)) {
      push(last + interval, null);
    }
    push(point.t, point);
  };

  const rebuild = (points: HistoryPoint[]): void => {
    // Rare path (a history reply that arrived after newer /ws points): merge the lot, keeping
    // the nulls out, and append in order again.
    const merged: HistoryPoint[] = [];
    for (let i = 0; i < t.length; i++) {
      if (values.cpu[i] === null) continue;
      const p = { t: t[i], load1: 0, score: 0 } as HistoryPoint;
      for (const f of FIELDS) p[f] = values[f][i] ?? 0;
      merged.push(p);
    }
    merged.push(...points);
    merged.sort((a, b) => a.t - b.t);
    t.length = 0;
    for (const f of FIELDS) values[f].length = 0;
    for (const p of merged) {
      const last = t.at(-1);
      if (last === undefined || !same(last, p.t)) append(p);
    }
  };

  const trim = (): void => {
    const last = t.at(-1);
    if (last === undefined) return;
    const cut = indexAt(last - maxAgeSec);
    // Trim in batches: one splice per ~100 ticks instead of a shift per tick.
    if (cut > 100) {
      t.splice(0, cut);
      for (const f of FIELDS) values[f].splice(0, cut);
    }
  };

  const indexAt = (time: number): number => {
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((t[mid] as number) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    t,
    values,
    add(points) {
      // A history reply shows the real spacing of points; trust it over the nominal interval so a
      // coarser history is not mistaken for a string of gaps.
      if (points.length >= 3) {
        const gaps = points
          .slice(1)
          .map((p, i) => p.t - (points[i] as HistoryPoint).t)
          .sort((a, b) => a - b);
        const median = gaps[(gaps.length - 1) >> 1] as number;
        if (median > interval) interval = median;
      }
      let changed = false;
      const late: HistoryPoint[] = [];
      for (const p of points) {
        if (!Number.isFinite(p.t)) continue;
        const last = t.at(-1);
        if (last !== undefined && same(last, p.t)) continue;
        if (last !== undefined && p.t < last) {
          if (!t.some((x) => same(x, p.t))) late.push(p);
          continue;
        }
        append(p);
        changed = true;
      }
      if (late.length > 0) {
        rebuild(late);
        changed = true;
      }
      if (changed) trim();
      return changed;
    },
    setInterval(seconds) {
      if (Number.isFinite(seconds) && seconds > 0) interval = seconds;
    },
    lastT: () => t.at(-1),
    indexAt,
  };
}
