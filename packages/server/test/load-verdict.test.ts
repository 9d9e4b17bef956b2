import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failures, refused } from '../../../scripts/load-verdict.ts';

// `npm run load` (scripts/load.ts): what counts as a failed request in its verdict.

test('load: a 2xx answer that refuses (intercept deny, ingest event error, verify invalid) is refused', () => {
  assert.equal(refused('intercept', JSON.stringify({ decision: 'allow' })), false);
  assert.equal(refused('intercept', JSON.stringify({ decision: 'deny', code: 'TOKEN_UNKNOWN', reason: 'x' })), true);
  const inserted = { externalEventId: 'e1', inserted: true };
  assert.equal(refused('ingest', JSON.stringify({ success: true, count: 1, results: [inserted] })), false);
  const bad = { externalEventId: 'e2', inserted: false, error: 'no', code: 'METRIC_UNKNOWN' };
  assert.equal(refused('ingest', JSON.stringify({ success: true, count: 2, results: [inserted, bad] })), true);
  assert.equal(refused('ingest', JSON.stringify({ success: false, count: 0, results: [] })), true);
  assert.equal(refused('verify', JSON.stringify({ valid: true, claims: {} })), false);
  assert.equal(refused('verify', JSON.stringify({ valid: false })), true);
  assert.equal(refused('verify', 'not json'), true);
});

test('load: failures are non-2xx, socket errors and refusals; a timeout counts once (it is in errors too)', () => {
  // autocannon 9 adds a timeout to both `errors` and `timeouts`.
  assert.equal(failures({ non2xx: 2, errors: 3, timeouts: 3, refused: 0 }), 5);
  assert.equal(failures({ non2xx: 0, errors: 0, timeouts: 0, refused: 4 }), 4);
  assert.equal(failures({ non2xx: 0, errors: 0, timeouts: 0, refused: 0 }), 0);
});
