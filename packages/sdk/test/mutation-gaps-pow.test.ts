// Proof-of-work checks that no other test could notice being weakened (found by mutation testing): the check must
// agree with the hex definition exactly, including hashes that start with a small non-zero digit.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { checkPow, isVouchError } from '../src/index.ts';

const PK = '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

/** The first nonces whose hex hash starts with `prefix` (an independent reference search). */
function noncesWithPrefix(prefix: string, count: number): string[] {
  const out: string[] = [];
  for (let n = 0; out.length < count; n++) {
    if (
      createHash('sha256')
        .update(PK + n)
        .digest('hex')
        .startsWith(prefix)
    )
      out.push(String(n));
  }
  return out;
}

test('a hash starting "1" (0x10..0x1f) or "01" is not one, two or three zero digits', () => {
  for (const nonce of noncesWithPrefix('10', 3)) {
    assert.equal(checkPow(PK, nonce, 1), false, nonce);
    assert.equal(checkPow(PK, nonce, 0), true);
  }
  for (const nonce of noncesWithPrefix('010', 2)) {
    assert.equal(checkPow(PK, nonce, 1), true);
    assert.equal(checkPow(PK, nonce, 2), false, nonce);
    assert.equal(checkPow(PK, nonce, 3), false, nonce);
  }
  for (const nonce of noncesWithPrefix('0010', 1)) {
    assert.equal(checkPow(PK, nonce, 2), true);
    assert.equal(checkPow(PK, nonce, 3), false, nonce);
  }
  // The first byte is checked too: a hash "1000…" or "0100…" never passes difficulty 2 or 4.
  for (const nonce of noncesWithPrefix('1000', 1)) assert.equal(checkPow(PK, nonce, 4), false, nonce);
  for (const nonce of noncesWithPrefix('0100', 1)) assert.equal(checkPow(PK, nonce, 4), false, nonce);
});

test('the difficulty is capped at exactly 16', () => {
  assert.equal(checkPow(PK, '0', 16), false);
  assert.throws(
    () => checkPow(PK, '0', 17),
    (e: unknown) => isVouchError(e) && e.code === 'INVALID_POW_DIFFICULTY',
  );
});
