// finiteJsonText, exported for callers that send or store JSON, let JSON.stringify's own failures out raw: a BigInt or
// a cycle threw a TypeError, and a value with no JSON text at all (undefined, a function, a symbol) threw "Cannot read
// properties of undefined (reading 'includes')" although the function is typed to return a string. Each is now
// UNSUPPORTED_JSON_VALUE (the code canonicalize gives them); the caller's own refusal of NaN is still what it throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finiteJsonText, isVouchError } from '../src/index.ts';
import { throwsCode } from './vectors.ts';

const never = (): never => {
  throw new Error('refuse called');
};

test('finiteJsonText refuses what JSON cannot write with UNSUPPORTED_JSON_VALUE, never a raw TypeError', () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const cases: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a BigInt', { n: 10n }],
    ['a cycle', cycle],
  ];
  for (const [what, value] of cases) throwsCode(() => finiteJsonText(value, never), 'UNSUPPORTED_JSON_VALUE', what);
  // The caller's refusal is still the caller's own error.
  assert.throws(
    () => finiteJsonText({ a: NaN }, (key) => assert.fail(`refused ${key}`)),
    (e: unknown) => !isVouchError(e) && /refused a/.test(String(e)),
  );
  assert.equal(finiteJsonText({ a: [1, null] }, never), '{"a":[1,null]}');
});
