// Wall-clock time in an IANA zone, with real DST transitions. Calendar schedules (cron, Cloudtask
// modes 4–6, the daily window of modes 1–3) are defined in wall time; runs happen at instants. A
// "wall" value is the local date and time encoded as if it were UTC ms, so Date.UTC arithmetic works.

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

let systemZone: string | undefined;

/**
 * The agent's own zone (TZ, else the system's), read on first use: loading ICU's zone data costs
 * ~6 MiB of memory, which an agent that is never asked about a zone does not need.
 */
export function systemTimeZone(): string {
  systemZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return systemZone;
}

/** The zone's canonical spelling if Intl knows it, else undefined. */
export function resolveTimeZone(tz: string): string | undefined {
  if (tz.trim() === '' || tz !== tz.trim()) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The local wall time at `instantMs` in `tz`, as wall ms. */
export function toWallMs(tz: string, instantMs: number): number {
  const ms = ((instantMs % 1000) + 1000) % 1000;
  const whole = instantMs - ms;
  let y = 0;
  let mo = 0;
  let d = 0;
  let h = 0;
  let mi = 0;
  let s = 0;
  for (const p of formatter(tz).formatToParts(whole)) {
    switch (p.type) {
      case 'year':
        y = Number(p.value);
        break;
      case 'month':
        mo = Number(p.value);
        break;
      case 'day':
        d = Number(p.value);
        break;
      case 'hour':
        h = Number(p.value);
        break;
      case 'minute':
        mi = Number(p.value);
        break;
      case 'second':
        s = Number(p.value);
        break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) + ms;
}

function offsetAt(tz: string, instantMs: number): number {
  return toWallMs(tz, instantMs) - instantMs;
}

/**
 * The instant a wall time happens in `tz`. A repeated wall time (fall-back) gives its first
 * occurrence; a skipped one (spring-forward gap) gives the first valid instant after it, which is
 * the transition itself. Both are bosun's DST rule (specs/scheduling.md §5.2).
 */
export function fromWallMs(tz: string, wallMs: number): number {
  // Schedules ask for the same few wall times (a day's window, the start) over and over.
  const key = `${tz}|${wallMs}`;
  let t = instants.get(key);
  if (t === undefined) {
    t = computeInstant(tz, wallMs);
    if (instants.size >= MAX_INSTANTS) instants.clear();
    instants.set(key, t);
  }
  return t;
}

const instants = new Map<string, number>();
const MAX_INSTANTS = 4096;

function computeInstant(tz: string, wallMs: number): number {
  // Offsets a day either side; no zone changes its offset twice within two days.
  const before = offsetAt(tz, wallMs - DAY_MS);
  const after = offsetAt(tz, wallMs + DAY_MS);
  if (before === after && toWallMs(tz, wallMs - before) === wallMs) return wallMs - before;
  let best: number | undefined;
  for (const off of new Set([before, after, offsetAt(tz, wallMs)])) {
    const t = wallMs - off;
    if (toWallMs(tz, t) === wallMs && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;
  // In a gap: the transition lies between the two readings; find the first instant whose wall
  // time is at or past the asked one.
  let lo = wallMs - Math.max(before, after);
  let hi = wallMs - Math.min(before, after);
  if (toWallMs(tz, hi) < wallMs) hi += DAY_MS; // defensive: never expected
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (toWallMs(tz, mid) >= wallMs) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Days since 1970-01-01 of a wall time. */
export function wallDay(wallMs: number): number {
  return Math.floor(wallMs / DAY_MS);
}

/** Wall ms of a day number plus a time of day in seconds. */
export function wallAt(day: number, secondOfDay: number): number {
  return day * DAY_MS + secondOfDay * 1000;
}

export function dayFromYmd(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** 0 = Sunday. */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
