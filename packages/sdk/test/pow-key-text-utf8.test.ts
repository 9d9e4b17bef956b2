// Found by mutation testing: checkPow and solvePow hash the key text as UTF-8 (docs/PROTOCOL.md "Proof of work": the
// publicKey field exactly as sent, in any accepted form), but every test used an ASCII base64 key, where Latin-1 and
// UTF-8 agree. A JWK text with a non-ASCII member must be hashed as its UTF-8 bytes, as the server's clients do.
// Mutations caught: .update(publicKey + nonce, 'latin1') in pow/check.ts, and the same in pow/solve.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { checkPow, solvePow } from '../src/index.ts';

const KEY = '{"crv":"Ed25519","kid":"clé 😀","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}';

function hex(text: string, encoding: 'utf8' | 'latin1'): string {
  return createHash('sha256').update(Buffer.from(text, encoding)).digest('hex');
}

test('the proof of work hashes a non-ASCII key text as UTF-8, in checkPow and in solvePow', async () => {
  let nonce = 0;
  while (!hex(KEY + nonce, 'utf8').startsWith('00')) nonce++;
  // The inputs tell the encodings apart: the Latin-1 bytes give a hash without the two zeros.
  assert.ok(!hex(KEY + nonce, 'latin1').startsWith('00'));
  assert.equal(checkPow(KEY, String(nonce), 2), true);
  const solved = await solvePow(KEY, { difficulty: 2 });
  assert.deepEqual(solved, { nonce: String(nonce), hash: hex(KEY + nonce, 'utf8'), attempts: nonce + 1 });
});
