// The SDK's property tests (encodings, canonical JSON, the token fast paths) run as hard as the fuzz tests are told
// to: `VOUCH_FUZZ_RUNS` cases times a per-property factor (pure functions, so a factor keeps the default run at the
// counts these tests always ran), seeded from `VOUCH_FUZZ_SEED` by the property's name, a failure naming both so it
// can be replayed. Each property counts the cases that ran to the end (a case skipped by `fc.pre` does not count)
// and fails unless that is exactly the number asked for: a hard-coded `numRuns` or an early stop cannot pass.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FUZZ_RUNS, FUZZ_SEED, seedFor, withReplayHint } from '../../server/test/fuzz/runs.ts';

/** The cases a property with this factor runs: VOUCH_FUZZ_RUNS × factor. */
export function propertyRuns(factor: number): number {
  return FUZZ_RUNS * factor;
}

/** Fails unless `ran` is what `propertyRuns(factor)` asks for. */
export function assertPropertyRan(name: string, ran: number, factor: number): void {
  const asked = propertyRuns(factor);
  if (ran !== asked) {
    throw new Error(`${name}: ran ${ran} cases where VOUCH_FUZZ_RUNS=${FUZZ_RUNS} × ${factor} asks for ${asked}`);
  }
}

/**
 * `fc.assert` of `fc.property(...arbitraries, predicate)` for `propertyRuns(factor)` cases with `name`'s seed, then
 * the count check. Returns the number of cases run, for coverage checks that scale with it.
 */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  factor: number,
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => boolean | void,
): number {
  let ran = 0;
  const counted = (...args: Ts): boolean | void => {
    const result = predicate(...args);
    if (result !== false) ran++;
    return result;
  };
  const property = fc.property<Ts>(...([...arbitraries, counted] as unknown as Parameters<typeof fc.property<Ts>>));
  withReplayHint(() => fc.assert(property, { numRuns: propertyRuns(factor), seed: seedFor(name) }));
  assertPropertyRan(name, ran, factor);
  return ran;
}

/**
 * A property's coverage floor (each branch it means to reach came up, often enough): with fewer than the default
 * VOUCH_FUZZ_RUNS (100) a branch may simply not have come up yet, so a quick run checks the cases alone.
 */
export function assertCoverage(ok: boolean, seen: unknown): void {
  if (FUZZ_RUNS >= 100) assert.ok(ok, JSON.stringify(seen));
}

export { FUZZ_RUNS, FUZZ_SEED };
