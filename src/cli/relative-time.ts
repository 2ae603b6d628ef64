// Instants for people: "in 4m", "3h ago", and a local wall-clock time with its offset. The clock and
// the zone are parameters, so the output is testable.

/** `at` relative to `now` in one unit, floored: "now", "in 45s", "4m ago", "in 3h", "2d ago". */
export function formatRelative(atMs: number, nowMs: number): string {
  const diff = atMs - nowMs;
  const abs = Math.abs(diff);
  if (abs < 1000) return 'now';
  const span = compactSpan(abs);
  return diff > 0 ? `in ${span}` : `${span} ago`;
}

function compactSpan(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  // Hours up to two days read better than "1d" for "tomorrow morning".
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** "2026-11-24 02:30:00 +01:00" in `timeZone` (IANA; default this machine's zone). */
export function formatLocalTime(atMs: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(atMs));
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  // longOffset is "GMT+01:00", or plain "GMT" for UTC itself.
  const offset = get('timeZoneName').replace('GMT', '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${offset}`;
}
