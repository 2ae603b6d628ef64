// setTimeout for delays past Node's longest timer (2^31−1 ms, 24.8 days): Node fires a longer one
// after 1 ms, which ended a run with a 31-day timeout at once. This one re-arms in steps until the
// time has come, measured on the monotonic clock.

/** Node's longest timer delay. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface LongTimeout {
  clear(): void;
}

/** Calls `fn` once after `ms`. `stepMs` is for tests: the longest single timer it arms. */
export function setLongTimeout(fn: () => void, ms: number, stepMs = MAX_TIMER_MS): LongTimeout {
  const due = performance.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = due - performance.now();
    timer = left > stepMs ? setTimeout(arm, stepMs) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
