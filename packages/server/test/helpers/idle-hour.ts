// What a stopped server (or a failed start) leaves running in its process: setInterval mocked, an hour of minutes
// ticked, and the log lines anything still running wrote meanwhile.
import { mock } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LogCapture } from './app.ts';

/**
 * Mocks setInterval only, until the test ends: start's timers and the modules' housekeeping run on it, the database
 * drivers' own timers do not. Call it before the server starts.
 */
export function mockIntervals(t: { after: (fn: () => void) => void }): void {
  mock.timers.enable({ apis: ['setInterval'] });
  t.after(() => mock.timers.reset());
}

/** Ticks an hour of minutes, letting work each tick started run, and returns the messages logged meanwhile. */
export async function messagesOverAnHour(logs: LogCapture): Promise<string[]> {
  const before = logs.lines.length;
  for (let minute = 0; minute < 60; minute++) {
    mock.timers.tick(60_000);
    for (let i = 0; i < 20; i++) await nextTurn();
  }
  return logs.lines.slice(before).map((l) => (JSON.parse(l) as { msg: string }).msg);
}
