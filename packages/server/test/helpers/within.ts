// Waiting for something another process (or a listener) makes true, without a fixed sleep.
import assert from 'node:assert/strict';

/** What "at once" allows a cross-process notification: generous for one, far below any cache's lifetime. */
export const BOUND_MS = 2000;

/** Polls `check` until it holds, for at most `boundMs` of real time; the failure says what never happened. */
export async function within(boundMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + boundMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= until) assert.fail(`not within ${boundMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
