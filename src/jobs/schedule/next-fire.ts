// When a schedule fires next: the one question the scheduler, the planner and every preview ask.
// Pure: no clock, no I/O. `enabled` is not looked at, so a disabled schedule can still be previewed;
// the scheduler decides whether a disabled schedule fires.

import type { ScheduleSpec } from '../../model/schedules.ts';
import { cloudtaskNextFire } from './cloudtask-next-fire.ts';
import { cronNextFire } from './cron-next-fire.ts';

export interface FireContext {
  /** The zone for schedules that name none (the agent's zone). */
  tz: string;
  /** Where `every` ticks are counted from (the schedule's creation), ms. */
  anchorMs: number;
}

/** The first fire strictly after `afterMs`, or undefined if the schedule never fires again. */
export function nextFire(
  spec: ScheduleSpec,
  afterMs: number,
  ctx: FireContext,
): number | undefined {
  switch (spec.kind) {
    case 'every': {
      const stepMs = spec.everySec * 1000;
      if (!(stepMs > 0)) return undefined;
      const k = Math.max(0, Math.floor((afterMs - ctx.anchorMs) / stepMs) + 1);
      return ctx.anchorMs + k * stepMs;
    }
    case 'at': {
      const t = Date.parse(spec.at);
      return t > afterMs ? t : undefined;
    }
    case 'cron':
      return cronNextFire(spec.expr, spec.tz ?? ctx.tz, afterMs);
    case 'cloudtask':
      return cloudtaskNextFire(spec, spec.tz ?? ctx.tz, afterMs);
  }
}

/** Up to `count` fires after `afterMs`, in order; fewer if the schedule ends. */
export function nextFires(
  spec: ScheduleSpec,
  afterMs: number,
  count: number,
  ctx: FireContext,
): number[] {
  const out: number[] = [];
  let t = afterMs;
  while (out.length < count) {
    const next = nextFire(spec, t, ctx);
    if (next === undefined) break;
    out.push(next);
    t = next;
  }
  return out;
}
