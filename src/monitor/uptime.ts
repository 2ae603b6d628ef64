// /proc/uptime ("1469.35 2758.23": seconds since boot, idle seconds) and vminfo's human form of it.

export function parseUptime(text: string): number {
  return Math.floor(Number(text.slice(0, text.indexOf(' '))) || 0);
}

/** "3d 4h 5m", "4h 5m" or "5m", as vminfo writes it. */
export function formatUptime(seconds: number): string {
  if (seconds <= 0) return '0s';
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h ${minutes}m`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m`;
}
