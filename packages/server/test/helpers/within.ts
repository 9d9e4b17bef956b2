// Waiting for something another process (or a listener) makes true, without a fixed sleep.
import assert from 'node:assert/strict';

/** What "at once" allows a cross-process notification: generous for one, far below any cache's lifetime. */
export const BOUND_MS = 2000;

/**
 * How long a test waits for a connection of its own making to be up, back or gone (a listener connecting, reconnecting
 * after its backoff, closing): not a bound the service promises, and a new PostgreSQL connection on a loaded machine
 * can take a good part of a second. A listener that never comes back still fails the wait.
 */
export const READY_MS = 10_000;

/**
 * Polls `check` until it holds; fails once a check that began `boundMs` or more after the call still does not hold,
 * saying `what` (a function for a message read at failure, e.g. a log still growing).
 * A check that began before the bound and answered after it says nothing about the state at the bound (on a loaded
 * machine one check can take a good part of it), so one more is made: the bound is on the service, not on the check.
 */
export async function within(
  boundMs: number,
  what: string | (() => string),
  check: () => Promise<boolean>,
): Promise<void> {
  const until = Date.now() + boundMs;
  for (;;) {
    const began = Date.now();
    if (await check()) return;
    if (began >= until) assert.fail(`not within ${boundMs} ms: ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
