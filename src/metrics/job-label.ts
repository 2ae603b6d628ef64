// The `job` label of bosun's own series, bounded: Prometheus keeps one series per distinct label
// value, and job names are written by whoever submits jobs. Generated parts of a name (a UUID, a long
// number, a hex id) become `*`, so `seatunnel-job-1a2b3c4d` and `seatunnel-job-9f8e7d6c` share one
// value; past a cap of distinct values every new name is counted under `other`.

/** The value every name past the cap is counted under. */
export const OTHER_JOBS = 'other';

/** A name part that a program made up rather than a person: replaced by `*`. */
const GENERATED = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, // UUID
  /(?<![a-z0-9])(?=[a-z]*\d)[0-9a-f]{8,}(?![a-z0-9])/gi, // hex id with a digit: 1a2b3c4d, a sha
  /\d{6,}/g, // a long number: an id, a timestamp
];

/** A job name with its generated parts replaced by `*`. */
export function jobNamePattern(name: string): string {
  let out = name;
  for (const re of GENERATED) out = out.replace(re, '*');
  return out;
}

export interface JobLabels {
  /** The label value for a job name: its pattern, or `other` once `maxValues` patterns are in use. */
  of(name: string): string;
  /** Distinct values handed out so far, `other` excluded. */
  readonly size: number;
}

/**
 * Label values are handed out first come, first served and kept for the agent's life: a series must
 * not change its label under a counter, or rate() would see a reset.
 */
export function createJobLabels(maxValues: number): JobLabels {
  const values = new Set<string>();
  return {
    of(name) {
      const pattern = jobNamePattern(name);
      if (values.has(pattern)) return pattern;
      if (values.size >= maxValues || pattern === OTHER_JOBS) return OTHER_JOBS;
      values.add(pattern);
      return pattern;
    },
    get size() {
      return values.size;
    },
  };
}
