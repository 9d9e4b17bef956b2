// solvePow read any non-null second argument as options: solvePow(key, 5), the difficulty passed where checkPow takes
// it, read no difficulty member and solved the default difficulty 4, so a server asking for 5 then refused the nonce
// (POW_INVALID) with no hint why. A second argument that is not an object is now INVALID_ARGUMENT; null is still none.
import { test } from 'node:test';
import type { SolvePowOptions } from '../src/index.ts';
import { solvePow } from '../src/index.ts';
import { rejectsCode } from './vectors.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

test('solvePow refuses options that are not an object (a difficulty number, a string, a list): INVALID_ARGUMENT', async () => {
  for (const given of [5, 0, '5', true, [5]]) {
    await rejectsCode(
      () => solvePow(PK, given as unknown as SolvePowOptions),
      'INVALID_ARGUMENT',
      JSON.stringify(given),
    );
  }
});
