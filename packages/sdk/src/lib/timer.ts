// Timer delays. setTimeout (Node and browsers) holds at most 2^31 - 1 ms and runs a longer delay after 1 ms instead:
// a caller's "practically no timeout" (`2 ** 31`, `Number.MAX_SAFE_INTEGER`) would fire at once. No node:* import.

/** The longest delay a timer holds (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a setTimeout delay: anything longer than a timer holds waits as long as one can, not 1 ms. */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
