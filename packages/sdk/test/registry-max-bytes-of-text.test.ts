// parseIssuerEntry, parseProposal and parseRegistryDocument bound their input in bytes (REGISTRY_LIMITS.maxFileBytes,
// `maxBytes`), but a string was measured in UTF-16 units: text of up to three times the bound in UTF-8 (any
// non-ASCII character is two or three bytes, one unit) was parsed. A string is now held to its UTF-8 length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIssuerEntry, parseRegistryDocument, REGISTRY_LIMITS } from '../src/index.ts';

const entry = (description: string) =>
  JSON.stringify({
    id: 'acme',
    publicKey: 'ed25519:YEgZHBbyCtffzSu46cMUvnIZmGoSdp6-avteV_gRaYo',
    endpoint: 'https://credentials.acme.example',
    registeredAt: '2025-01-01T00:00:00.000Z',
    metadata: { name: 'Acme', url: 'https://acme.example', contact: 'trust@acme.example', description },
    signatures: [],
  });

test('registry parsers hold a string to the UTF-8 bytes of their bound', () => {
  const max = REGISTRY_LIMITS.maxFileBytes;
  // Padding outside the validated members: whitespace after the object is still JSON text.
  const text = entry('€') + ' '.repeat(max - entry('€').length - 10);
  assert.ok(text.length < max);
  assert.equal(parseIssuerEntry(text).id, 'acme', 'ASCII-sized text under the bound is read');
  const wide = entry('€'.repeat(2000));
  const padded = wide + ' '.repeat(max - wide.length - 10);
  assert.ok(padded.length < max && new TextEncoder().encode(padded).length > max);
  assert.throws(() => parseIssuerEntry(padded), /larger than 1048576 bytes/);
  assert.throws(() => parseIssuerEntry(new TextEncoder().encode(padded)), /larger than 1048576 bytes/);
  assert.throws(() => parseRegistryDocument('"' + 'é'.repeat(60) + '"', { maxBytes: 100 }), /larger than 100 bytes/);
});
