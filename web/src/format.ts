// Pure formatters for the dashboard: human units for bytes, rates, percents and durations.
// No DOM here, so format.test.ts runs them under node:test.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** 1536 → "1.5 KiB". Binary units, as free/top/htop show memory. */
export function formatBytes(bytes: number, digits = 1): string {
  if (!Number.isFinite(bytes)) return '–';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  // 1000 KiB rather than 0.98 MiB would be fine, but it makes columns wider than needed.
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  return `${sign}${value.toFixed(value >= 100 ? 0 : digits)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per second: "1.5 MiB/s". */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** Short axis labels: "0", "512", "1.5K", "20M", "3G". Charts have ~50 px for them. */
export function formatBytesShort(bytes: number): string {
  if (!Number.isFinite(bytes)) return '';
  if (bytes === 0) return '0';
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text =
    value >= 10 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1);
  return `${bytes < 0 ? '-' : ''}${text}${units[unit]}`;
}

/** 12.345 → "12.3%". One decimal by default so a nearly idle host does not read "0%". */
export function formatPercent(percent: number, digits = 1): string {
  if (!Number.isFinite(percent)) return '–';
  return `${percent.toFixed(digits)}%`;
}

/** 12345 → "12,345"; a fixed locale so the test and every browser agree. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

/** Load averages: two decimals, as uptime(1) prints them. */
export function formatLoad(load: number): string {
  return Number.isFinite(load) ? load.toFixed(2) : '–';
}

/** Error/drop rates per second: "0" when quiet, otherwise up to one decimal. */
export function formatPerSec(n: number): string {
  if (!Number.isFinite(n) || n === 0) return '0';
  return n >= 10 ? `${Math.round(n)}/s` : `${n.toFixed(1)}/s`;
}

export type Level = 'ok' | 'warn' | 'crit';

/** Colour band of a usage percent: the same 80/90 split the health rules use for memory. */
export function usageLevel(percent: number, warn = 80, crit = 90): Level {
  if (percent >= crit) return 'crit';
  if (percent >= warn) return 'warn';
  return 'ok';
}

/** Colour band of the health score alone. */
export function scoreLevel(score: number): Level {
  if (score >= 90) return 'ok';
  if (score >= 60) return 'warn';
  return 'crit';
}

/**
 * Colour of the health card: the score's band, but never green while a warning stands and always
 * red for a critical one (a single critical still scores 80, which would otherwise read as amber).
 */
export function healthLevel(score: number, levels: readonly string[]): Level {
  if (levels.includes('critical')) return 'crit';
  const band = scoreLevel(score);
  return levels.length > 0 && band === 'ok' ? 'warn' : band;
}

/** Keeps the start of a long command line; the full text goes in a title tooltip. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
