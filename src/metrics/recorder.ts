// Counters and histograms kept as plain numbers while the agent runs, and handed to prom-client only
// when /metrics is first scraped (http/metrics.ts loads it then): an agent nobody scrapes never loads
// prom-client, and events before the first scrape still count.

export type Labels = Readonly<Record<string, string>>;

export interface CounterFamily {
  inc(labels: Labels, by?: number): void;
  /** Every label set counted so far with its total. */
  entries(): Iterable<{ labels: Labels; value: number }>;
}

export interface HistogramEntry {
  labels: Labels;
  /** Cumulative: observations at or below each bound of `buckets`, in order. */
  cumulative: number[];
  sum: number;
  count: number;
}

export interface HistogramFamily {
  readonly buckets: readonly number[];
  observe(labels: Labels, value: number): void;
  entries(): Iterable<HistogramEntry>;
}

/** One key per label set: the values in the family's label order. */
const keyOf = (names: readonly string[], labels: Labels): string =>
  names.map((n) => labels[n] ?? '').join('\u0000');

export function createCounterFamily(labelNames: readonly string[]): CounterFamily {
  const values = new Map<string, { labels: Labels; value: number }>();
  return {
    inc(labels, by = 1) {
      if (!(by >= 0)) return; // a counter never goes down; NaN is no count
      const key = keyOf(labelNames, labels);
      const entry = values.get(key);
      if (entry === undefined) values.set(key, { labels: { ...labels }, value: by });
      else entry.value += by;
    },
    entries: () => values.values(),
  };
}

export function createHistogramFamily(
  labelNames: readonly string[],
  buckets: readonly number[],
): HistogramFamily {
  const sorted = [...buckets].sort((a, b) => a - b);
  const values = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  return {
    buckets: sorted,
    observe(labels, value) {
      if (!Number.isFinite(value)) return;
      const key = keyOf(labelNames, labels);
      let entry = values.get(key);
      if (entry === undefined) {
        entry = { labels: { ...labels }, counts: sorted.map(() => 0), sum: 0, count: 0 };
        values.set(key, entry);
      }
      const at = sorted.findIndex((bound) => value <= bound);
      if (at >= 0) entry.counts[at]! += 1;
      entry.sum += value;
      entry.count += 1;
    },
    *entries() {
      for (const { labels, counts, sum, count } of values.values()) {
        let running = 0;
        yield { labels, cumulative: counts.map((c) => (running += c)), sum, count };
      }
    },
  };
}
