// How hard the fuzz tests push: `VOUCH_FUZZ_RUNS` (read by the tests only, never by the server) runs per property,
// default 100; `VOUCH_FUZZ_SEED` the base seed, default fixed so a failure reproduces, and derived per property name
// so adding a route does not reshuffle every other route's cases. A failure names both, so it can be replayed.
import { createHash } from 'node:crypto';

/** `VOUCH_FUZZ_RUNS`: a positive whole number, default 100; anything else stops the run. */
export function parseFuzzRuns(text: string | undefined): number {
  const raw = text?.trim();
  if (raw === undefined || raw === '') return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw)))
    throw new Error(`VOUCH_FUZZ_RUNS must be a positive whole number, got "${raw}".`);
  return Number(raw);
}

export const FUZZ_RUNS = parseFuzzRuns(process.env.VOUCH_FUZZ_RUNS);

/**
 * Fails unless a property ran exactly VOUCH_FUZZ_RUNS cases (its tally of statuses): a property that hard-codes its
 * own `numRuns`, or stops early, would otherwise pass while fuzzing less than it was asked to.
 */
export function assertRanAll(statuses: ReadonlyMap<number, number>): void {
  assertRanCount([...statuses.values()].reduce((a, b) => a + b, 0));
}

/** Fails unless `ran`, the cases a property counted as it ran them, is exactly VOUCH_FUZZ_RUNS (see assertRanAll). */
export function assertRanCount(ran: number): void {
  if (ran !== FUZZ_RUNS) throw new Error(`ran ${ran} cases where VOUCH_FUZZ_RUNS asks for ${FUZZ_RUNS}`);
}

const DEFAULT_SEED = 0x5eed_7e57;

/** `VOUCH_FUZZ_SEED`: a whole number 0..2^31-1, decimal or `0x` hex; another seed explores other cases. */
export function parseFuzzSeed(raw: string | undefined): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return DEFAULT_SEED;
  const n = /^\d+$/.test(text) ? Number(text) : /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : NaN;
  if (!Number.isSafeInteger(n) || n > 0x7fffffff)
    throw new Error(`VOUCH_FUZZ_SEED must be a whole number from 0 to 2147483647 (or 0x hex), got "${text}".`);
  return n;
}

/** The base seed; each property's own seed is derived from it by name (`seedFor`). */
export const FUZZ_SEED = parseFuzzSeed(process.env.VOUCH_FUZZ_SEED);

/** The environment that replays this run: prefixed to a property's failure message. */
export function replayHint(): string {
  return `replay with VOUCH_FUZZ_SEED=${FUZZ_SEED} VOUCH_FUZZ_RUNS=${FUZZ_RUNS}`;
}

/** A fixed 31-bit seed for one named property. */
export function seedFor(name: string): number {
  return (createHash('sha256').update(`${FUZZ_SEED}:${name}`).digest().readUInt32BE(0) & 0x7fffffff) | 0;
}

function hinted(err: unknown): unknown {
  if (err instanceof Error) err.message = `${replayHint()}\n${err.message}`;
  return err;
}

/** Runs `fc.assert` (sync or async), naming the base seed and runs on failure (fast-check names the derived seed). */
export function withReplayHint<T>(run: () => T): T {
  try {
    const result = run();
    if (result instanceof Promise) {
      return result.catch((err: unknown) => {
        throw hinted(err);
      }) as T;
    }
    return result;
  } catch (err) {
    throw hinted(err);
  }
}

/** Rejects when `promise` has not settled within `ms`: a hang is a failure, not a stuck test. */
export async function withinMs<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`hang: ${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole route fuzz's backstop (a hung request fails on its own, in REQUEST_TIMEOUT_MS): it grows with
 * VOUCH_FUZZ_RUNS, since 1000 runs on PostgreSQL on a busy machine took longer than a fixed 15 minutes.
 */
export const ROUTE_FUZZ_TIMEOUT_MS = Math.max(900_000, FUZZ_RUNS * 9_000);

/** Which answers a route's cases reached, e.g. "400×60 401×20 404×10 200×10", for the test's diagnostic line. */
export function statusTally(statuses: ReadonlyMap<number, number>): string {
  return [...statuses]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
}
