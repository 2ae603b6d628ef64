// Spans of time for people: "850ms", "4.2s", "1m 12s", "2h 05m", "3d 4h". Used for run durations
// and for job settings given in seconds.

/** A span in ms, at most two units, never negative. */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t < 1000) return `${t}ms`;
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(t / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** A setting in whole seconds: "30s", "10m", "1h", "1h 30m"; 0 is "0s". */
export function formatSeconds(sec: number): string {
  if (sec < 60) return `${sec}s`;
  const parts: string[] = [];
  const d = Math.floor(sec / 86_400);
  const h = Math.floor((sec % 86_400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s) parts.push(`${s}s`);
  return parts.join(' ');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
