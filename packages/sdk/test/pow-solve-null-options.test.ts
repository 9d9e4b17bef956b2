// solvePow read its options argument without a guard, so null (a JavaScript caller, settings read from JSON) threw a
// raw TypeError (reading 'difficulty') where an absent argument gives the defaults; null now gives the defaults too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPow, solvePow } from '../src/index.ts';
import type { SolvePowOptions } from '../src/index.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

test('solvePow takes a null options argument as none', async () => {
  const solution = await solvePow(PK, null as unknown as SolvePowOptions);
  assert.deepEqual(solution, await solvePow(PK));
  assert.equal(checkPow(PK, solution.nonce), true);
});
