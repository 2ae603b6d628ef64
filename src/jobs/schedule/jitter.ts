// Jitter spreads jobs that all say "at :00" over a few seconds. It is derived from the job id, not
// random, so a job fires at the same offset every time and every node agrees on it.

import { createHash } from 'node:crypto';

/** A fixed delay for this job in [0, jitterSec·1000) ms; 0 when jitter is off. */
export function jitterMs(jobId: string, jitterSec: number): number {
  const rangeMs = Math.floor(jitterSec * 1000);
  if (!(rangeMs > 0)) return 0;
  // 48 bits of SHA-256: uniform enough that the modulo bias is below 1e-8 for any sane range.
  const n = createHash('sha256').update(jobId).digest().readUIntBE(0, 6);
  return n % rangeMs;
}
