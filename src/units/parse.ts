// Durations and byte sizes as an operator writes them (500ms, 2s, 30d; 512KiB, 8MiB), read into
// milliseconds and bytes, and written back so that parsing the text gives the same number.

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: SECOND_MS,
  m: MINUTE_MS,
  h: HOUR_MS,
  d: DAY_MS,
};

/** Parses 500ms, 2s, 1.5m, 1h, 30d, or a bare number of seconds (a YAML number too) into ms. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? Math.round(value * SECOND_MS) : undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(String(value));
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (DURATION_UNITS[(m[2] ?? 's').toLowerCase()] ?? SECOND_MS));
}

/** Milliseconds in the largest unit that keeps them whole: 3000 → 3s, 30 days → 30d, 1500 → 1500ms. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] as number;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const BYTE_UNITS = ['', 'K', 'M', 'G', 'T'] as const;

/** Parses 4096, 512k, 512KiB, 8MB, 8MiB, 1G…; the units are binary either way, as for disks in `df -h`. */
export function parseBytes(value: unknown): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i.exec(
    String(value),
  );
  if (!m) return undefined;
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const power = unit === 'B' ? 0 : BYTE_UNITS.indexOf(unit as (typeof BYTE_UNITS)[number]);
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** Bytes in the largest binary unit that keeps them whole: 8388608 → 8MiB, 4096 → 4KiB, 100 → 100B. */
export function formatBytes(bytes: number): string {
  for (let power = BYTE_UNITS.length - 1; power > 0; power--) {
    const size = 1024 ** power;
    if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${BYTE_UNITS[power]}iB`;
  }
  return `${bytes}B`;
}
