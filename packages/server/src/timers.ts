// Repeating work whose period comes from configuration: Node's timers hold at most TIMER_MAX_MS, and a longer delay
// fires after 1 ms instead (with a TimeoutOverflowWarning), so a period set in days would run back to back.

/** The longest delay a Node timer keeps (2^31 - 1 ms, about 24.8 days). */
export const TIMER_MAX_MS = 2_147_483_647;

/**
 * Calls `fn` every `periodMs` (any length: a period over {@link TIMER_MAX_MS} waits in steps), without keeping the
 * process alive (unref'd). Returns the function that stops it. Like
 * setInterval's, a throw from `fn` is uncaught: catch inside it.
 *
 * @example
 * const stop = repeatEvery(30 * 86_400_000, () => void refresh());
 */
export function repeatEvery(periodMs: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (left: number): void => {
    const wait = Math.min(left, TIMER_MAX_MS);
    timer = setTimeout(() => {
      if (stopped) return;
      if (left > wait) return arm(left - wait);
      try {
        fn();
      } finally {
        if (!stopped) arm(periodMs);
      }
    }, wait);
    timer.unref();
  };
  arm(periodMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
