// proofOfWork takes a required options argument whose crypto member (the CryptoProvider) is required too; a missing,
// null or non-provider crypto, or a null options argument (a JavaScript caller, settings read from JSON), threw a raw
// TypeError ("Cannot read properties of undefined (reading 'name')"). Each now throws VouchError INVALID_ARGUMENT
// naming what is required; the options stay required (no default provider: the type and docs require one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPow, createWebCryptoProvider, isVouchError, proofOfWork, solvePow } from '../src/index.ts';
import type { ProofOfWorkOptions } from '../src/index.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

function invalid(names: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isVouchError(err), String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, names);
    return true;
  };
}

test('proofOfWork without a crypto provider, or without options, is INVALID_ARGUMENT naming crypto', async () => {
  for (const crypto of [undefined, null, 'node', 42, {}, { name: 'web' }]) {
    const options = { difficulty: 1, crypto } as unknown as ProofOfWorkOptions;
    await assert.rejects(proofOfWork(PK, options), invalid(/crypto/), String(crypto));
  }
  for (const bad of [null, undefined, 'node', 7]) {
    await assert.rejects(proofOfWork(PK, bad as unknown as ProofOfWorkOptions), invalid(/crypto/), String(bad));
  }
  const solution = await proofOfWork(PK, { difficulty: 1, crypto: createWebCryptoProvider() });
  assert.equal(checkPow(PK, solution.nonce, 1), true);
});

// On Node's provider proofOfWork hands the search to solvePow, which reads an absent or null difficulty as the
// default (4); with any other provider the same options threw INVALID_POW_DIFFICULTY. Both now take the default.
test('proofOfWork reads an absent or null difficulty as the default whatever the provider', async () => {
  for (const difficulty of [undefined, null]) {
    const options = { difficulty, crypto: createWebCryptoProvider() } as unknown as ProofOfWorkOptions;
    const solution = await proofOfWork(PK, options);
    assert.equal(checkPow(PK, solution.nonce, 4), true);
    assert.deepEqual(solution, await solvePow(PK));
  }
});
