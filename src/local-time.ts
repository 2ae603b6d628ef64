// "2026-11-23 14:55:00": a time in this process's zone, as SeaTunnel, Arthas and the dashboard show
// times. No node: imports: the dashboard bundles it too.

export function localDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
