// Review: docs/PROTOCOL.md ("Errors", the 400 row) lists the codes a public key in a request is refused with, but
// not `INVALID_BASE64`, the code of a malformed key in identity.app's own form (standard base64 of the 32 bytes:
// `publicKey`'s and `public_key_pem`'s commonest spelling). Every code the registration routes answer for a
// malformed key is now held to that list.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { documentedSpans } from '../helpers/protocol-doc.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TEST_ENV } from './helpers.ts';

/** The backticked codes of the 400 row's clause on a public key in a request. */
const documentedKeyCodes = (): Set<string> =>
  new Set(documentedSpans('for a public key in a request', /([A-Z][A-Z0-9_]+)/, 'for a `powNonce`'));

const MALFORMED = [
  '1', // base64 of the wrong length
  `${'/'.repeat(43)}=`, // base64 with non-zero trailing bits
  `${'A'.repeat(44)}`, // 33 bytes
  'ed25519:', // no bytes
  '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
  '{"kty":"OKP"}',
  '{"kty":"OKP","crv":"Ed25519","x":"AAAA","x":"AAAA"}',
  'not a key',
];

eachEngine('every code a malformed public key is refused with is documented', async ({ open }) => {
  const { app } = await makeApp(await open(), { env: { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '1000' } });
  try {
    const documented = documentedKeyCodes();
    const answered = new Set<string>();
    for (const [i, key] of MALFORMED.entries()) {
      for (const [url, payload] of [
        ['/api/v1/agents/register', { publicKey: key, powNonce: '0' }],
        ['/v1/identity/register', { slug: `key-agent-${i}`, public_key_pem: key }],
      ] as const) {
        const res = await app.inject({ method: 'POST', url, payload });
        assert.equal(res.statusCode, 400, `${url} ${key}: ${res.body}`);
        answered.add((res.json() as { code: string }).code);
      }
    }
    assert.ok(answered.has('INVALID_BASE64'), 'a malformed standard base64 key is INVALID_BASE64');
    assert.deepEqual(
      [...answered].filter((c) => !documented.has(c)),
      [],
      'codes answered for a malformed key that the 400 row does not list',
    );
  } finally {
    await app.close();
  }
});
