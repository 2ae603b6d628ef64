// Durations and dates for people to read (run durations, skip reasons, local times), as opposed to
// parse.ts's forms that an operator writes and that parse back. No node: imports: the dashboard
// bundles it too.

/** `n` in decimal, zero-padded to `width` digits: pad(7) → "07", pad(5, 3) → "005". */
export function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A span in ms, at most two units, never negative: "850ms", "4.2s", "1m 12s", "2h 05m", "3d 4h". */
export function formatSpan(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t < 1000) return `${t}ms`;
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(t / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** "3m12s", "2d4h", "45s": whole seconds, the two largest units, no spaces; enough for a reason line. */
export function formatSpanCompact(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
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

/** "2026-11-23 14:55:00": a time in this process's zone, as SeaTunnel, Arthas and the dashboard show times. */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
