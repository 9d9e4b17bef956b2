import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeHex, formatPublicKey, parsePublicKey, publicKeyFromRaw, type PublicKey } from '../src/index.ts';
import { PROVIDERS } from './providers.ts';
import { readVectorJson, type WycheproofFile } from './vectors.ts';

const ed25519 = readVectorJson<WycheproofFile>('wycheproof', 'ed25519_test.json');
const p256 = readVectorJson<WycheproofFile>('wycheproof', 'ecdsa_secp256r1_sha256_p1363_test.json');

describe('Wycheproof Ed25519 (EdDSA verify)', () => {
  test('every group key loads from the raw pk and from DER, to the same key', () => {
    for (const g of ed25519.testGroups) {
      const raw = publicKeyFromRaw('Ed25519', decodeHex(g.publicKey.pk!));
      const der = parsePublicKey(decodeHex(g.publicKeyDer), { type: 'Ed25519' });
      const pem = parsePublicKey(g.publicKeyPem, { type: 'Ed25519' });
      assert.deepEqual(formatPublicKey(der, 'raw'), formatPublicKey(raw, 'raw'));
      assert.deepEqual(formatPublicKey(pem, 'raw'), formatPublicKey(raw, 'raw'));
      assert.equal(formatPublicKey(raw, 'pem'), g.publicKeyPem);
    }
  });

  for (const provider of PROVIDERS) {
    test(`${ed25519.numberOfTests} cases classified correctly [${provider.name}]`, async (t) => {
      let correct = 0;
      let total = 0;
      const wrong: number[] = [];
      const counts = { valid: 0, invalid: 0, acceptable: 0 };
      for (const g of ed25519.testGroups) {
        const key = publicKeyFromRaw('Ed25519', decodeHex(g.publicKey.pk!));
        for (const tc of g.tests) {
          total++;
          counts[tc.result]++;
          const ok = await provider.verify('EdDSA', key, decodeHex(tc.sig), decodeHex(tc.msg));
          if (tc.result === 'acceptable' || ok === (tc.result === 'valid')) correct++;
          else wrong.push(tc.tcId);
        }
      }
      const summary =
        `Wycheproof Ed25519 [${provider.name}]: ${correct}/${total} classified correctly ` +
        `(${counts.valid} valid accepted, ${counts.invalid} invalid rejected, ${counts.acceptable} acceptable)`;
      t.diagnostic(summary);
      assert.deepEqual(wrong, [], `misclassified tcIds: ${wrong.join(', ')}`);
      assert.equal(total, ed25519.numberOfTests);
      assert.equal(total, 151);
    });
  }
});

describe('Wycheproof ECDSA P-256 SHA-256, IEEE P1363 signatures (ES256 verify)', () => {
  test('every group key loads from DER; where a JWK is given it is the same key', () => {
    let withJwk = 0;
    for (const g of p256.testGroups) {
      const der = parsePublicKey(decodeHex(g.publicKeyDer), { type: 'P-256' });
      assert.deepEqual(formatPublicKey(der, 'raw'), decodeHex(g.publicKey.uncompressed!));
      assert.equal(formatPublicKey(der, 'pem'), g.publicKeyPem);
      if (g.publicKeyJwk !== undefined) {
        withJwk++;
        const { kid: _kid, ...jwk } = g.publicKeyJwk;
        assert.deepEqual(formatPublicKey(parsePublicKey(jwk), 'raw'), formatPublicKey(der, 'raw'));
      }
    }
    assert.equal(p256.testGroups.length - withJwk, 9, 'groups without a JWK');
  });

  for (const provider of PROVIDERS) {
    test(`${p256.numberOfTests} cases classified correctly [${provider.name}]`, async (t) => {
      let correct = 0;
      let total = 0;
      const wrong: number[] = [];
      const acceptable: string[] = [];
      const counts = { valid: 0, invalid: 0, acceptable: 0 };
      const keys = new Map<string, PublicKey>();
      for (const g of p256.testGroups) {
        const key = keys.get(g.publicKeyDer) ?? parsePublicKey(decodeHex(g.publicKeyDer));
        keys.set(g.publicKeyDer, key);
        // Fire a group's verifies together: the provider must stay correct with many operations in flight.
        const results = await Promise.all(
          g.tests.map((tc) => provider.verify('ES256', key, decodeHex(tc.sig), decodeHex(tc.msg))),
        );
        g.tests.forEach((tc, i) => {
          total++;
          counts[tc.result]++;
          if (tc.result === 'acceptable') {
            correct++;
            acceptable.push(`${tc.tcId}:${results[i] ? 'accepted' : 'rejected'}`);
          } else if (results[i] === (tc.result === 'valid')) correct++;
          else wrong.push(tc.tcId);
        });
      }
      t.diagnostic(
        `Wycheproof ECDSA P-256 P1363 [${provider.name}]: ${correct}/${total} classified correctly ` +
          `(${counts.valid} valid accepted, ${counts.invalid} invalid rejected, ${counts.acceptable} acceptable` +
          `${acceptable.length > 0 ? `: ${acceptable.join(' ')}` : ''})`,
      );
      assert.deepEqual(wrong, [], `misclassified tcIds: ${wrong.join(', ')}`);
      assert.equal(total, p256.numberOfTests);
      assert.equal(total, 262);
    });
  }

  test('the psychic signature (r = s = 0, tcId 11 family) and r or s = n are rejected', async () => {
    const cases = p256.testGroups.flatMap((g) =>
      g.tests.filter((tc) => tc.flags.includes('InvalidSignature')).map((tc) => ({ g, tc })),
    );
    assert.ok(cases.length > 0);
    for (const provider of PROVIDERS) {
      for (const { g, tc } of cases) {
        const key = parsePublicKey(decodeHex(g.publicKeyDer));
        assert.equal(
          await provider.verify('ES256', key, decodeHex(tc.sig), decodeHex(tc.msg)),
          false,
          `tcId ${tc.tcId}`,
        );
      }
    }
  });
});
