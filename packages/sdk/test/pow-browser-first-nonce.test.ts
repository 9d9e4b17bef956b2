// proofOfWork off Node (a WebCrypto provider) runs its own search, which must try the nonces solvePow tries, from
// "0" (found by mutation testing: starting that search at 1 failed no test, since no key tested was solved by "0";
// a browser would then answer a later nonce and count one attempt fewer than it made).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkPow, createWebCryptoProvider, proofOfWork, solvePow } from '../src/index.ts';

/** A key text (any string is hashed as given) whose first `difficulty` hex digits of SHA-256(key + nonce) are 0. */
function keySolvedBy(nonce: string, difficulty: number): string {
  for (let i = 0; ; i++) {
    const key = `key-${i}`;
    if (
      createHash('sha256')
        .update(key + nonce)
        .digest('hex')
        .startsWith('0'.repeat(difficulty))
    )
      return key;
  }
}

test('the WebCrypto search answers nonce "0" when it solves, as solvePow does', async () => {
  for (const difficulty of [1, 2]) {
    const key = keySolvedBy('0', difficulty);
    const web = await proofOfWork(key, { difficulty, crypto: createWebCryptoProvider() });
    assert.equal(web.nonce, '0');
    assert.equal(web.attempts, 1);
    assert.equal(checkPow(key, web.nonce, difficulty), true);
    assert.deepEqual(web, await solvePow(key, { difficulty }));
  }
});

test('the WebCrypto search answers the same solution as solvePow for keys not solved by "0"', async () => {
  for (let i = 0; i < 8; i++) {
    const key = `other-${i}`;
    const web = await proofOfWork(key, { difficulty: 2, crypto: createWebCryptoProvider() });
    assert.deepEqual(web, await solvePow(key, { difficulty: 2 }));
    assert.equal(web.attempts, Number(web.nonce) + 1);
  }
});

test('the WebCrypto search reports progress after each full batch of 1024 hashes, with the hashes tried', async () => {
  // A key whose solution takes more than two batches (solvePow finds it fast on Node).
  let key = '';
  let expected = { nonce: '', hash: '', attempts: 0 };
  for (let i = 0; expected.attempts <= 2048; i++) {
    key = `slow-${i}`;
    expected = await solvePow(key, { difficulty: 3 });
  }
  const progress: number[] = [];
  const web = await proofOfWork(key, {
    difficulty: 3,
    crypto: createWebCryptoProvider(),
    onProgress: (n) => progress.push(n),
  });
  assert.deepEqual(web, expected);
  const batches = Math.floor((expected.attempts - 1) / 1024);
  assert.deepEqual(
    progress,
    Array.from({ length: batches }, (_, i) => (i + 1) * 1024),
  );
});
