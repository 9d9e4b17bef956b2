// How hard the fuzz tests push: `VOUCH_FUZZ_RUNS` (read by the tests only, never by the server) runs per property,
// default 100; the seed is fixed so a failure reproduces, and derived per property name so adding a route does not
// reshuffle every other route's cases.
import { createHash } from 'node:crypto';

function readRuns(): number {
  const raw = process.env.VOUCH_FUZZ_RUNS?.trim();
  if (raw === undefined || raw === '') return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new Error(`VOUCH_FUZZ_RUNS must be a positive whole number, got "${raw}".`);
  return Number(raw);
}

export const FUZZ_RUNS = readRuns();

/** The base seed; failures print `seed` and `path`, which reproduce with fast-check's `seed`/`path` options. */
export const FUZZ_SEED = 0x5eed_7e57;

/** A fixed 31-bit seed for one named property. */
export function seedFor(name: string): number {
  return (createHash('sha256').update(`${FUZZ_SEED}:${name}`).digest().readUInt32BE(0) & 0x7fffffff) | 0;
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
