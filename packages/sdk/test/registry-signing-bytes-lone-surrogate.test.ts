// registryDocumentSigningBytes is documented as the bytes of canonicalize(document without rootSignature), but its
// fast path (governance steps canonicalized once, the other members spliced around them) wrote member names with
// JSON.stringify: a name holding a lone surrogate, which RFC 8785 cannot represent and canonicalize refuses
// (UNSUPPORTED_JSON_VALUE), was signed as "\ud800" whenever the document had a governance array. Both paths now
// refuse it alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize, encodeUtf8, registryDocumentSigningBytes, type RegistryDocument } from '../src/index.ts';

const refused = (e: Error & { code?: string }) => e.code === 'UNSUPPORTED_JSON_VALUE';

test('a member name with a lone surrogate is refused with or without a governance array', () => {
  for (const doc of [
    { '\ud800': 1, b: 2 },
    { '\ud800': 1, b: 2, governance: [] },
  ]) {
    assert.throws(() => canonicalize(doc), refused);
    assert.throws(() => registryDocumentSigningBytes(doc as unknown as RegistryDocument), refused);
  }
  // Well-formed names: the same bytes as canonicalize, governance spliced in or not.
  const doc = { 'é\ud83d\ude00': 1, a: [2], governance: [{ z: 1, y: 2 }], rootSignature: 'x' };
  const { rootSignature: _r, ...rest } = doc;
  assert.deepEqual(registryDocumentSigningBytes(doc as unknown as RegistryDocument), encodeUtf8(canonicalize(rest)));
});
