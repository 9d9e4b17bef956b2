// Review: logThrottle suppressed every occurrence until `everyMs` after the time of its last line. It is fed the
// wall clock (a database outage's fail-open warning, lost PostgreSQL connections), which an NTP step can set back:
// stepped back an hour, nothing was logged for an hour and ten seconds, the outage included. A time a whole period
// or more before the last line now logs at once (with the count held back), and the period starts again from it; one
// less far back (requests that read the clock before an await and fail after it, out of order) is still counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logThrottle } from '../src/log-throttle.ts';

const HOUR = 3_600_000;

test('a clock set back logs at once, then throttles from the new time', () => {
  const take = logThrottle(10_000);
  const t0 = Date.UTC(2026, 0, 1);
  assert.equal(take(t0), 0, 'the first occurrence is logged');
  assert.equal(take(t0 + 5_000), undefined, 'within the period: counted');
  // The wall clock steps back an hour.
  assert.equal(take(t0 - HOUR), 1, 'logged at once, with the one held back');
  assert.equal(take(t0 - HOUR + 5_000), undefined, 'throttled again from the new time');
  assert.equal(take(t0 - HOUR + 10_000), 1);
});

test('times a little out of order are counted, not logged', () => {
  const take = logThrottle(10_000);
  assert.equal(take(50_000), 0);
  assert.equal(take(49_990), undefined);
  assert.equal(take(40_001), undefined);
  assert.equal(take(40_000), 2, 'a whole period back');
});

test('forward time is throttled as before', () => {
  const take = logThrottle(10_000);
  assert.equal(take(0), 0);
  assert.equal(take(9_999), undefined);
  assert.equal(take(9_999), undefined);
  assert.equal(take(10_000), 2);
  assert.equal(take(19_999), undefined);
  assert.equal(take(20_000), 1);
});
