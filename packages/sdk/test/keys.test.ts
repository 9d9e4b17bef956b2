import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import {
  decodeBase64url,
  encodeBase64,
  encodeBase64url,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  isPrivateKey,
  isPublicKey,
  jwkThumbprint,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromRaw,
  publicKeyFromRaw,
  type KeyType,
  type PublicKey,
} from '../src/index.ts';
import { PROVIDERS } from './providers.ts';
import { readVectorJson, rejectsCode, throwsCode } from './vectors.ts';

// RFC 8037 A.1 (Ed25519) and RFC 7515 A.3 (P-256) keys, read from the vectors.
const ED = readVectorJson<{ input: { key: Record<string, string> } }>('rfc', 'rfc8037_A4_ed25519_jws.json').input.key;
const EC = readVectorJson<{ jwk: Record<string, string> }>('rfc', 'rfc7515_A3_es256.json').jwk;
const ED_PUBLIC_JWK = { kty: 'OKP', crv: 'Ed25519', x: ED.x! };
const EC_PUBLIC_JWK = { kty: 'EC', crv: 'P-256', x: EC.x!, y: EC.y! };
const ED_RAW = decodeBase64url(ED.x!);

function nodeSpkiPem(jwk: Record<string, string>): string {
  return String(createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }));
}

function samePublic(a: PublicKey, b: PublicKey): void {
  assert.equal(a.type, b.type);
  assert.deepEqual(formatPublicKey(a, 'raw'), formatPublicKey(b, 'raw'));
}

describe('Ed25519 public key forms', () => {
  const registry = 'ed25519:' + ED.x;
  const base64 = encodeBase64(ED_RAW);
  const pem = nodeSpkiPem(ED_PUBLIC_JWK);

  test('registry, base64, PEM, JWK (object and JSON text), DER and raw all parse to the same key', () => {
    const key = parsePublicKey(registry);
    assert.equal(key.type, 'Ed25519');
    for (const input of [base64, pem, ED_PUBLIC_JWK, JSON.stringify(ED_PUBLIC_JWK), formatPublicKey(key, 'der')]) {
      samePublic(parsePublicKey(input), key);
    }
    samePublic(publicKeyFromRaw('Ed25519', ED_RAW), key);
    samePublic(parsePublicKey(pem.replace(/\n/g, '\r\n')), key);
    samePublic(parsePublicKey({ ...ED_PUBLIC_JWK, alg: 'EdDSA', use: 'sig', kid: 'k1' }), key);
    // RFC 9864's fully-specified name for EdDSA over Ed25519.
    samePublic(parsePublicKey({ ...ED_PUBLIC_JWK, alg: 'Ed25519' }), key);
  });

  test('prints every form exactly as the reference encoders do', () => {
    const key = parsePublicKey(base64);
    assert.equal(formatPublicKey(key, 'registry'), registry);
    assert.equal(formatPublicKey(key, 'base64'), base64);
    assert.equal(formatPublicKey(key, 'pem'), pem);
    assert.deepEqual(formatPublicKey(key, 'jwk'), ED_PUBLIC_JWK);
    assert.deepEqual(
      formatPublicKey(key, 'der'),
      Uint8Array.from(createPublicKey(pem).export({ type: 'spki', format: 'der' })),
    );
    assert.deepEqual(formatPublicKey(key, 'raw'), ED_RAW);
  });

  test('the returned raw bytes are a copy; keys are frozen and hold no enumerable bytes', () => {
    const key = parsePublicKey(registry);
    formatPublicKey(key, 'raw').fill(0);
    assert.equal(formatPublicKey(key, 'registry'), registry);
    assert.ok(Object.isFrozen(key));
    assert.deepEqual(Object.keys(key), ['kind', 'type']);
    assert.equal(isPublicKey(key), true);
    assert.equal(isPublicKey({ kind: 'public', type: 'Ed25519' }), false);
  });
});

describe('P-256 public key forms', () => {
  const pem = nodeSpkiPem(EC_PUBLIC_JWK);

  test('JWK, PEM, DER and raw (uncompressed and compressed) parse to the same key and print back', () => {
    const key = parsePublicKey(EC_PUBLIC_JWK);
    assert.equal(key.type, 'P-256');
    samePublic(parsePublicKey(pem), key);
    samePublic(parsePublicKey(JSON.stringify(EC_PUBLIC_JWK)), key);
    samePublic(parsePublicKey(formatPublicKey(key, 'der')), key);
    const raw = formatPublicKey(key, 'raw');
    assert.equal(raw.length, 65);
    samePublic(publicKeyFromRaw('P-256', raw), key);
    const compressed = Uint8Array.of(2 + (raw[64]! & 1), ...raw.subarray(1, 33));
    samePublic(publicKeyFromRaw('P-256', compressed), key);
    assert.equal(formatPublicKey(key, 'pem'), pem);
    assert.deepEqual(formatPublicKey(key, 'jwk'), EC_PUBLIC_JWK);
  });

  test('registry and base64 forms exist for Ed25519 only', () => {
    const key = parsePublicKey(EC_PUBLIC_JWK);
    throwsCode(() => formatPublicKey(key, 'registry'), 'UNSUPPORTED_KEY_FORMAT');
    throwsCode(() => formatPublicKey(key, 'base64'), 'UNSUPPORTED_KEY_FORMAT');
  });
});

describe('private keys', () => {
  for (const [type, jwk] of [
    ['Ed25519', ED],
    ['P-256', EC],
  ] as [KeyType, Record<string, string>][]) {
    test(`${type}: PKCS#8 PEM, DER, JWK and raw round-trip and match node:crypto's encodings`, () => {
      const key = parsePrivateKey(jwk, { type });
      assert.equal(isPrivateKey(key), true);
      const nodePem = createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' });
      assert.equal(formatPrivateKey(key, 'pem'), nodePem);
      const { use: _use, ...members } = jwk;
      assert.deepEqual(formatPrivateKey(key, 'jwk'), members);
      for (const input of [nodePem, formatPrivateKey(key, 'der'), JSON.stringify(members)]) {
        const again = parsePrivateKey(input);
        assert.deepEqual(formatPrivateKey(again, 'raw'), formatPrivateKey(key, 'raw'));
        samePublic(again.publicKey, key.publicKey);
      }
      const fromRaw = privateKeyFromRaw(type, decodeBase64url(jwk.d!));
      samePublic(fromRaw.publicKey, parsePublicKey(type === 'Ed25519' ? ED_PUBLIC_JWK : EC_PUBLIC_JWK));
    });
  }

  test('secrets stay out of inspection, JSON and enumeration', () => {
    const key = parsePrivateKey(ED);
    // util.inspect is what console.log and many loggers use.
    const shown = JSON.stringify(key) + String(key) + inspect(key, { showHidden: true, depth: 5 });
    assert.ok(!shown.includes(ED.d!), 'd must not appear');
    assert.deepEqual(Object.keys(key), ['kind', 'type', 'publicKey']);
  });

  test('a JWK whose public members belong to another key is refused', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    throwsCode(() => parsePrivateKey({ ...EC, x: other.x!, y: other.y! }), 'INVALID_KEY');
    const otherEd = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    throwsCode(() => parsePrivateKey({ ...ED, x: otherEd.x! }), 'INVALID_KEY');
    throwsCode(() => parsePrivateKey({ kty: 'OKP', crv: 'Ed25519', d: ED.d! }), 'INVALID_KEY'); // x missing
  });

  test('a PKCS#8 key embedding a foreign public key gets the public key of its own d', () => {
    const der = new Uint8Array(createPrivateKey({ key: EC, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' }));
    const own = formatPublicKey(parsePublicKey(EC_PUBLIC_JWK), 'raw');
    // Node writes the SEC1 publicKey field last: 0x04 ‖ x ‖ y.
    assert.deepEqual(der.subarray(der.length - 65), own);
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const tampered = Uint8Array.from(der);
    tampered.set(Uint8Array.of(4, ...decodeBase64url(foreign.x!), ...decodeBase64url(foreign.y!)), der.length - 65);
    // node:crypto itself would report the foreign point as this key's public key.
    const nodeJwk = createPrivateKey({ key: Buffer.from(tampered), format: 'der', type: 'pkcs8' }).export({
      format: 'jwk',
    });
    assert.equal(nodeJwk.x, foreign.x);
    assert.deepEqual(formatPublicKey(parsePrivateKey(tampered).publicKey, 'raw'), own);
  });

  test('bad private inputs throw stable codes', () => {
    throwsCode(() => parsePrivateKey(nodeSpkiPem(ED_PUBLIC_JWK)), 'INVALID_KEY');
    throwsCode(() => parsePrivateKey(ED_PUBLIC_JWK), 'INVALID_KEY'); // no d
    throwsCode(() => parsePrivateKey({ ...ED, d: encodeBase64url(new Uint8Array(31)) }), 'INVALID_KEY_LENGTH');
    throwsCode(() => privateKeyFromRaw('Ed25519', new Uint8Array(33)), 'INVALID_KEY_LENGTH');
    throwsCode(() => privateKeyFromRaw('P-256', new Uint8Array(32)), 'INVALID_KEY'); // d = 0
    const n = Uint8Array.from(Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'));
    throwsCode(() => privateKeyFromRaw('P-256', n), 'INVALID_KEY'); // d = n
    const sec1 = createPrivateKey({ key: EC, format: 'jwk' }).export({ type: 'sec1', format: 'pem' });
    throwsCode(() => parsePrivateKey(sec1), 'UNSUPPORTED_KEY_FORMAT');
    const encrypted = createPrivateKey({ key: EC, format: 'jwk' }).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    });
    throwsCode(() => parsePrivateKey(encrypted), 'UNSUPPORTED_KEY_FORMAT');
    throwsCode(() => parsePrivateKey(new Uint8Array([1, 2, 3])), 'INVALID_KEY');
    throwsCode(() => parsePrivateKey('hello'), 'INVALID_KEY');
    throwsCode(() => parsePrivateKey(ED, { type: 'P-256' }), 'WRONG_CURVE');
    const x25519 = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    throwsCode(() => parsePrivateKey(x25519), 'WRONG_CURVE');
  });
});

describe('malformed and hostile public keys', () => {
  const b64u = (n: number): string => encodeBase64url(new Uint8Array(n).fill(7));
  const b64 = (n: number): string => encodeBase64(new Uint8Array(n).fill(7));
  const pemOf = (key: { export(o: { type: 'spki'; format: 'pem' }): string | Buffer }): string =>
    String(key.export({ type: 'spki', format: 'pem' }));

  test('wrong lengths: 31 and 33 bytes in every Ed25519 form, short EC coordinates, raw points', () => {
    for (const n of [0, 31, 33, 64]) {
      throwsCode(() => parsePublicKey('ed25519:' + b64u(n)), 'INVALID_KEY_LENGTH', `registry ${n}`);
      if (n > 0) throwsCode(() => parsePublicKey(b64(n)), 'INVALID_KEY_LENGTH', `base64 ${n}`);
      throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, x: b64u(n) }), 'INVALID_KEY_LENGTH', `jwk ${n}`);
      throwsCode(() => publicKeyFromRaw('Ed25519', new Uint8Array(n)), 'INVALID_KEY_LENGTH', `raw ${n}`);
    }
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, x: b64u(31) }), 'INVALID_KEY_LENGTH');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, y: b64u(33) }), 'INVALID_KEY_LENGTH');
    throwsCode(() => publicKeyFromRaw('P-256', new Uint8Array(64)), 'INVALID_KEY_LENGTH');
    throwsCode(() => publicKeyFromRaw('P-256', Uint8Array.of(5, ...new Uint8Array(64))), 'INVALID_KEY_LENGTH');
  });

  test('wrong curves: X25519, Ed448, X448, P-384, secp256k1 keys; mismatched crv; the other Vouch type', () => {
    for (const key of [
      generateKeyPairSync('x25519').publicKey,
      generateKeyPairSync('ed448').publicKey,
      generateKeyPairSync('x448').publicKey,
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey,
    ]) {
      throwsCode(() => parsePublicKey(pemOf(key)), 'WRONG_CURVE', key.asymmetricKeyType);
      const jwk = key.export({ format: 'jwk' }) as Record<string, string>;
      if (jwk.kty !== 'EC' || jwk.crv !== 'secp256k1') throwsCode(() => parsePublicKey(jwk), 'WRONG_CURVE', jwk.crv);
    }
    throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, crv: 'P-256' }), 'WRONG_CURVE');
    throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, crv: 'X25519' }), 'WRONG_CURVE');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, crv: 'Ed25519' }), 'WRONG_CURVE');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, crv: 'P-384' }), 'WRONG_CURVE');
    throwsCode(() => parsePublicKey(ED_PUBLIC_JWK, { type: 'P-256' }), 'WRONG_CURVE');
    throwsCode(() => parsePublicKey(EC_PUBLIC_JWK, { type: 'Ed25519' }), 'WRONG_CURVE');
  });

  test('unsupported key types and formats', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    throwsCode(() => parsePublicKey(pemOf(rsa)), 'UNSUPPORTED_KEY_TYPE');
    throwsCode(() => parsePublicKey(rsa.export({ format: 'jwk' }) as Record<string, string>), 'UNSUPPORTED_KEY_TYPE');
    throwsCode(() => parsePublicKey({ kty: 'oct', k: 'AAAA' }), 'UNSUPPORTED_KEY_TYPE');
    const pkcs1 = String(rsa.export({ type: 'pkcs1', format: 'pem' }));
    throwsCode(() => parsePublicKey(pkcs1), 'UNSUPPORTED_KEY_FORMAT');
    throwsCode(
      () => parsePublicKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      'UNSUPPORTED_KEY_FORMAT',
    );
  });

  test('garbage, padding, whitespace and non-canonical encodings', () => {
    const registry = 'ed25519:' + ED.x;
    const base64 = encodeBase64(ED_RAW);
    // 32 bytes -> 43 base64url chars; the last one carries 2 unused bits. 'o' (40) + 1 -> 'p'.
    assert.equal(registry.at(-1), 'o');
    throwsCode(() => parsePublicKey(registry.slice(0, -1) + 'p'), 'INVALID_BASE64URL', 'trailing bits');
    throwsCode(() => parsePublicKey(registry + '='), 'INVALID_BASE64URL', 'padding');
    throwsCode(() => parsePublicKey(registry + ' '), 'INVALID_BASE64URL', 'trailing space');
    throwsCode(() => parsePublicKey(registry.replace('_', '/')), 'INVALID_BASE64URL', 'std alphabet');
    throwsCode(() => parsePublicKey('ed25519: ' + ED.x), 'INVALID_BASE64URL', 'inner space');
    throwsCode(() => parsePublicKey(base64.slice(0, -1)), 'INVALID_BASE64', 'missing padding');
    throwsCode(() => parsePublicKey(base64.slice(0, -2) + 'p='), 'INVALID_BASE64', 'trailing bits');
    throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, x: ED.x + '=' }), 'INVALID_BASE64URL', 'jwk padding');
    throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, x: ' ' + ED.x }), 'INVALID_BASE64URL', 'jwk whitespace');
    for (const junk of ['', ' ', 'ED25519:' + ED.x, 'ed448:abc', ED.x + '$', ED.x, '[]', '"x"', '-----']) {
      throwsCode(() => parsePublicKey(junk), 'INVALID_KEY', JSON.stringify(junk));
    }
    // Text made only of base64 characters is read as the base64 form, and fails as base64.
    for (const junk of ['hello', 'abcde', ED.x!.replace(/[-_]/g, 'A')]) {
      throwsCode(() => parsePublicKey(junk), 'INVALID_BASE64', JSON.stringify(junk));
    }
    for (const junk of [42, null, undefined, [], new Date(), Symbol('k')]) {
      throwsCode(() => parsePublicKey(junk as never), 'INVALID_KEY', String(junk));
    }
    throwsCode(() => parsePublicKey('x'.repeat(20000)), 'INVALID_KEY', 'too long');
  });

  test('PEM and DER structure', () => {
    const pem = nodeSpkiPem(ED_PUBLIC_JWK);
    const der = formatPublicKey(parsePublicKey(pem), 'der');
    throwsCode(() => parsePublicKey(pem.replace('END PUBLIC', 'END PRIVATE')), 'INVALID_PEM');
    throwsCode(() => parsePublicKey(pem.replace('MCow', 'MC!w')), 'INVALID_PEM');
    throwsCode(() => parsePublicKey(pem.replace('MCow', 'Proc-Type: 4,ENCRYPTED\n\nMCow')), 'INVALID_PEM');
    throwsCode(() => parsePublicKey(pem + 'trailing'), 'INVALID_PEM');
    throwsCode(() => parsePublicKey('-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----'), 'INVALID_PEM');
    throwsCode(
      () => parsePublicKey(createPrivateKey({ key: ED, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' })),
      'INVALID_KEY',
    );
    throwsCode(() => parsePublicKey(Uint8Array.of(...der, 0)), 'INVALID_KEY', 'trailing DER byte');
    throwsCode(() => parsePublicKey(der.subarray(0, 40)), 'INVALID_KEY', 'truncated DER');
    throwsCode(() => parsePublicKey(new Uint8Array(44)), 'INVALID_KEY', 'zero DER');
  });

  test('JWK checks: private members, off-curve points, alg and use, JSON text duplicates', () => {
    throwsCode(() => parsePublicKey(ED), 'INVALID_KEY', 'private JWK as public');
    throwsCode(() => parsePublicKey(EC), 'INVALID_KEY', 'private JWK as public');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, y: EC_PUBLIC_JWK.x }), 'INVALID_KEY', 'off curve');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, y: encodeBase64url(new Uint8Array(32)) }), 'INVALID_KEY');
    throwsCode(() => publicKeyFromRaw('P-256', Uint8Array.of(4, ...new Uint8Array(64))), 'INVALID_KEY', 'origin');
    throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, alg: 'ES256' }), 'KEY_ALGORITHM_MISMATCH');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, alg: 'EdDSA' }), 'KEY_ALGORITHM_MISMATCH');
    throwsCode(() => parsePublicKey({ ...EC_PUBLIC_JWK, use: 'enc' }), 'INVALID_KEY');
    throwsCode(() => parsePublicKey({ crv: 'Ed25519', x: ED.x }), 'INVALID_KEY', 'no kty');
    throwsCode(() => parsePublicKey({ ...ED_PUBLIC_JWK, x: 42 }), 'INVALID_KEY', 'x not a string');
    throwsCode(() => parsePublicKey(`{"kty":"OKP","crv":"Ed25519","x":"${ED.x}","x":"${ED.x}"}`), 'DUPLICATE_KEY');
    throwsCode(() => parsePublicKey('{"kty":"OKP",'), 'INVALID_JSON');
  });
});

describe('thumbprints (RFC 7638)', () => {
  test('RFC 7638 §3.1 example (RSA)', async () => {
    const jwk = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknj' +
        'hMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQ' +
        'vRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    assert.equal(await jwkThumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  test('EC and OKP thumbprints equal jose.calculateJwkThumbprint, for JWKs and SDK keys, on both providers', async () => {
    const jwks: Record<string, string>[] = [ED_PUBLIC_JWK, EC_PUBLIC_JWK, ED, EC];
    for (let i = 0; i < 4; i++) {
      const pair = await generateKeyPair(i % 2 ? 'P-256' : 'Ed25519');
      jwks.push(pair.publicJwk, pair.privateJwk);
    }
    for (const jwk of jwks) {
      const expected = await calculateJwkThumbprint(jwk);
      for (const provider of PROVIDERS) assert.equal(await jwkThumbprint(jwk, provider), expected);
    }
    assert.equal(await jwkThumbprint(parsePublicKey(EC_PUBLIC_JWK)), await calculateJwkThumbprint(EC_PUBLIC_JWK));
    assert.equal(await jwkThumbprint(parsePrivateKey(ED)), await calculateJwkThumbprint(ED_PUBLIC_JWK));
  });

  test('missing required members and unknown kty are errors', async () => {
    await rejectsCode(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: EC.x }), 'INVALID_KEY');
    await rejectsCode(() => jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: 5 }), 'INVALID_KEY');
    await rejectsCode(() => jwkThumbprint({ kty: 'XYZ' }), 'UNSUPPORTED_KEY_TYPE');
    await rejectsCode(() => jwkThumbprint({ kty: 'toString' }), 'UNSUPPORTED_KEY_TYPE');
    await rejectsCode(() => jwkThumbprint({}), 'UNSUPPORTED_KEY_TYPE');
  });
});

describe('generateKeyPair', () => {
  for (const provider of PROVIDERS) {
    for (const type of ['Ed25519', 'P-256'] as KeyType[]) {
      test(`${type} [${provider.name}]: every exported form parses back to the pair`, async () => {
        const pair = await generateKeyPair(type, provider);
        assert.equal(pair.type, type);
        samePublic(parsePublicKey(pair.publicPem), pair.publicKey);
        samePublic(parsePublicKey(pair.publicJwk), pair.publicKey);
        samePublic(parsePrivateKey(pair.privatePem).publicKey, pair.publicKey);
        samePublic(parsePrivateKey(pair.privateJwk).publicKey, pair.publicKey);
        assert.equal(pair.thumbprint, await calculateJwkThumbprint(pair.publicJwk));
        if (type === 'Ed25519') {
          samePublic(parsePublicKey(pair.publicKeyRegistry!), pair.publicKey);
          samePublic(parsePublicKey(pair.publicKeyBase64!), pair.publicKey);
        } else {
          assert.equal(pair.publicKeyRegistry, undefined);
        }
      });
    }
  }
  test('rejects other key types', async () => {
    await rejectsCode(() => generateKeyPair('RSA' as KeyType), 'UNSUPPORTED_KEY_TYPE');
  });
});
