// solvePow tries every nonce from startNonce up to Number.MAX_SAFE_INTEGER, which the option accepts as a start. The
// last batch ended before MAX_SAFE_INTEGER, so that nonce was never hashed: started there, the search failed at once
// ("exhausted") even at difficulty 0, which every nonce meets. Difficulty 0 keeps the test to a hash or two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPow, isVouchError, solvePow } from '../src/index.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
const LAST = Number.MAX_SAFE_INTEGER;

test('solvePow tries Number.MAX_SAFE_INTEGER, the last nonce of its range', async () => {
  const solution = await solvePow(PK, { difficulty: 0, startNonce: LAST });
  assert.equal(solution.nonce, String(LAST));
  assert.equal(solution.attempts, 1);
  assert.equal(checkPow(PK, solution.nonce, 0), true);
  // A batch that straddles the end reaches it as well.
  assert.equal((await solvePow(PK, { difficulty: 0, startNonce: LAST - 1, batchSize: 8 })).nonce, String(LAST - 1));
});

test('solvePow still reports the range exhausted once MAX_SAFE_INTEGER has been tried', async () => {
  // At difficulty 16 neither of the last two nonces meets the work (one chance in 2^64 each).
  await assert.rejects(solvePow(PK, { difficulty: 16, startNonce: LAST - 1, batchSize: 8 }), (err: unknown) => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.match(err.message, /exhausted/);
    return true;
  });
});
