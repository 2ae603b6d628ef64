// setTimeout for delays past Node's longest timer (2^31−1 ms, 24.8 days): Node fires a longer one
// after 1 ms, which ended a run with a 31-day timeout at once. This one re-arms in steps until the
// time has come, measured on the monotonic clock; a timer that fires early (Node counts whole
// milliseconds of a loop time that may be stale) is re-armed for what is left.

/** Node's longest timer delay. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface LongTimeout {
  clear(): void;
}

/** Calls `fn` once after `ms`. `stepMs` is for tests: the longest single timer it arms. */
export function setLongTimeout(fn: () => void, ms: number, stepMs = MAX_TIMER_MS): LongTimeout {
  const due = performance.now() + ms;
  const wait = (left: number): NodeJS.Timeout =>
    setTimeout(fire, Math.min(Math.ceil(left), stepMs));
  const fire = (): void => {
    const left = due - performance.now();
    if (left > 0) timer = wait(left);
    else fn();
  };
  let timer = wait(Math.max(0, ms));
  return { clear: () => clearTimeout(timer) };
}
