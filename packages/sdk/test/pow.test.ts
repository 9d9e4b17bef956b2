import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  checkPow,
  DEFAULT_POW_DIFFICULTY,
  generateKeyPair,
  isVouchError,
  sha256HexSync,
  solvePow,
} from '../src/index.ts';
import { rejectsCode, throwsCode } from './vectors.ts';

// A fixed identity.app-style public key (standard base64 of 32 bytes).
const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

/** Reference search, written independently of the SDK: the smallest nonce ≥ start whose hex hash has the prefix. */
function firstNonce(pk: string, difficulty: number, start = 0): string {
  const prefix = '0'.repeat(difficulty);
  for (let n = start; ; n++) {
    if (
      createHash('sha256')
        .update(pk + n)
        .digest('hex')
        .startsWith(prefix)
    )
      return String(n);
  }
}

describe('checkPow', () => {
  test('matches the definition: hex SHA-256 of publicKey + nonce starts with N zeros', () => {
    for (let d = 0; d <= 3; d++) {
      const nonce = firstNonce(PK, d);
      const hash = sha256HexSync(PK + nonce);
      assert.equal(checkPow(PK, nonce, d), true, `difficulty ${d}`);
      // One more zero is required at d + 1: valid exactly when the hash happens to have it.
      assert.equal(checkPow(PK, nonce, d + 1), hash.startsWith('0'.repeat(d + 1)));
    }
    assert.equal(DEFAULT_POW_DIFFICULTY, 4);
    assert.equal(checkPow(PK, '0', 0), true);
    const notEven2 = Array.from({ length: 50 }, (_, i) => String(i)).find(
      (n) => !sha256HexSync(PK + n).startsWith('00'),
    );
    assert.equal(checkPow(PK, notEven2!, 2), false);
  });

  test('odd difficulties test the high nibble of the next byte', () => {
    // Find nonces whose hashes start with exactly "00" followed by a non-zero nibble, and with "000".
    let exactlyTwo: string | undefined;
    for (let n = 0; exactlyTwo === undefined; n++) {
      const h = sha256HexSync(PK + n);
      if (h.startsWith('00') && h[2] !== '0') exactlyTwo = String(n);
    }
    assert.equal(checkPow(PK, exactlyTwo, 2), true);
    assert.equal(checkPow(PK, exactlyTwo, 3), false);
    assert.equal(checkPow(PK, firstNonce(PK, 3), 3), true);
  });

  test('the default difficulty (4) with a solved nonce', async () => {
    const { nonce, hash } = await solvePow(PK);
    assert.ok(hash.startsWith('0000'));
    assert.equal(checkPow(PK, nonce), true);
    assert.equal(nonce, firstNonce(PK, 4));
  });

  test('nonces must be 1-20 decimal digits; difficulty an integer 0-16', () => {
    for (const nonce of ['', 'abc', '-1', '1.5', '1e3', ' 1', '1 ', '０', '1'.repeat(21), 12, null]) {
      throwsCode(() => checkPow(PK, nonce as string, 2), 'INVALID_POW_NONCE', String(nonce));
    }
    assert.equal(typeof checkPow(PK, '9'.repeat(20), 2), 'boolean');
    for (const d of [-1, 17, 1.5, NaN, Infinity, '4', null]) {
      throwsCode(() => checkPow(PK, '1', d as number), 'INVALID_POW_DIFFICULTY', String(d));
    }
    throwsCode(() => checkPow(42 as unknown as string, '1', 2), 'INVALID_ARGUMENT');
  });
});

describe('solvePow', () => {
  test('finds the smallest nonce from startNonce, matching an independent search', async () => {
    const pair = await generateKeyPair('Ed25519');
    const pk = pair.publicKeyBase64!;
    for (const d of [2, 3]) {
      const solution = await solvePow(pk, { difficulty: d });
      assert.equal(solution.nonce, firstNonce(pk, d));
      assert.equal(solution.attempts, Number(solution.nonce) + 1);
      assert.equal(solution.hash, sha256HexSync(pk + solution.nonce));
      assert.equal(checkPow(pk, solution.nonce, d), true);
    }
    const later = await solvePow(pk, { difficulty: 2, startNonce: 1_000_000 });
    assert.equal(later.nonce, firstNonce(pk, 2, 1_000_000));
  });

  test('reports progress and yields to the event loop between batches', async () => {
    const progress: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      await solvePow(PK, { difficulty: 3, batchSize: 64, onProgress: (n) => progress.push(n) });
    } finally {
      clearInterval(timer);
    }
    assert.ok(progress.length > 0);
    assert.deepEqual(
      progress,
      progress.map((_, i) => (i + 1) * 64),
    );
    assert.ok(ticks > 0, 'timers ran while solving');
  });

  test('an AbortSignal stops the search with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    await assert.rejects(
      solvePow(PK, {
        difficulty: 16,
        batchSize: 256,
        signal: controller.signal,
        onProgress: (n) => n >= 1024 && controller.abort(reason),
      }),
      (e) => e === reason,
    );
    await assert.rejects(solvePow(PK, { signal: AbortSignal.abort() }), (e: Error) => e.name === 'AbortError');
  });

  test('bad options are typed errors', async () => {
    await rejectsCode(() => solvePow(PK, { difficulty: 17 }), 'INVALID_POW_DIFFICULTY');
    await rejectsCode(() => solvePow(PK, { startNonce: -1 }), 'INVALID_ARGUMENT');
    await rejectsCode(() => solvePow(PK, { startNonce: 1.5 }), 'INVALID_ARGUMENT');
    await rejectsCode(() => solvePow(PK, { batchSize: 0 }), 'INVALID_ARGUMENT');
    await assert.rejects(solvePow(null as unknown as string), (e) => isVouchError(e, 'INVALID_ARGUMENT'));
  });
});
