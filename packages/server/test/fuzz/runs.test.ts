// VOUCH_FUZZ_SEED: the default keeps the fixed seed every earlier run used, another value is taken as given, a bad
// value stops the run instead of silently fuzzing with the default; a failure names the seed that replays it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FUZZ_RUNS,
  assertRanAll,
  assertRanCount,
  parseFuzzRuns,
  parseFuzzSeed,
  replayHint,
  withReplayHint,
} from './runs.ts';

test('VOUCH_FUZZ_SEED: default, decimal, hex, and refusals', () => {
  assert.equal(parseFuzzSeed(undefined), 0x5eed7e57);
  assert.equal(parseFuzzSeed(' '), 0x5eed7e57);
  assert.equal(parseFuzzSeed('42'), 42);
  assert.equal(parseFuzzSeed('0'), 0);
  assert.equal(parseFuzzSeed('0x1F'), 31);
  assert.equal(parseFuzzSeed('2147483647'), 2147483647);
  for (const bad of ['2147483648', '-1', '1.5', 'abc', '0x', '1e3']) {
    assert.throws(() => parseFuzzSeed(bad), /VOUCH_FUZZ_SEED must be/, bad);
  }
});

test('a failing property names the seed and runs that replay it (sync and async)', async () => {
  assert.match(replayHint(), /^replay with VOUCH_FUZZ_SEED=\d+ VOUCH_FUZZ_RUNS=\d+$/);
  assert.throws(
    () =>
      withReplayHint(() => {
        throw new Error('Property failed');
      }),
    (err: Error) => err.message.startsWith(`${replayHint()}\nProperty failed`),
  );
  await assert.rejects(
    withReplayHint(() => Promise.reject(new Error('Property failed'))),
    (err: Error) => err.message.startsWith(`${replayHint()}\nProperty failed`),
  );
  assert.equal(
    withReplayHint(() => 3),
    3,
  );
});

test('VOUCH_FUZZ_RUNS: default, a count, and refusals', () => {
  assert.equal(parseFuzzRuns(undefined), 100);
  assert.equal(parseFuzzRuns(' '), 100);
  assert.equal(parseFuzzRuns('1'), 1);
  assert.equal(parseFuzzRuns(' 2500 '), 2500);
  for (const bad of ['0', '-1', '1.5', '1e3', 'abc', '0x10', '99999999999999999999']) {
    assert.throws(() => parseFuzzRuns(bad), /VOUCH_FUZZ_RUNS must be/, bad);
  }
  assert.equal(FUZZ_RUNS, parseFuzzRuns(process.env.VOUCH_FUZZ_RUNS));
});

test('a route property must run as many cases as VOUCH_FUZZ_RUNS asks', () => {
  assertRanAll(new Map([[200, FUZZ_RUNS]]));
  assertRanAll(
    new Map([
      [200, FUZZ_RUNS - 1],
      [400, 1],
    ]),
  );
  assert.throws(() => assertRanAll(new Map([[200, FUZZ_RUNS + 1]])), /ran \d+ cases where VOUCH_FUZZ_RUNS asks/);
  assert.throws(() => assertRanAll(new Map()), /ran 0 cases/);
});

test('a counted property must run as many cases as VOUCH_FUZZ_RUNS asks', () => {
  assertRanCount(FUZZ_RUNS);
  assert.throws(() => assertRanCount(FUZZ_RUNS - 1), /ran \d+ cases where VOUCH_FUZZ_RUNS asks/);
  assert.throws(() => assertRanCount(0), /ran 0 cases/);
});
