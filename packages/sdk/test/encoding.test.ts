import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  constantTimeEqual,
  createNodeCryptoProvider,
  createWebCryptoProvider,
  decodeBase64,
  decodeBase64url,
  decodeHex,
  decodeUtf8,
  encodeBase64,
  encodeBase64url,
  encodeHex,
  encodeUtf8,
  sha256Hex,
  sha256HexSync,
} from '../src/index.ts';
import { assertProperty } from './property-runs.ts';
import { throwsCode } from './vectors.ts';

// VOUCH_FUZZ_RUNS × 3 cases per property (300 by default).
const RUNS = 3;
const bytesArb = fc.uint8Array({ maxLength: 80 });

describe('base64url', () => {
  test('encodes like Buffer and round-trips (property)', () => {
    assertProperty('base64url round trip', RUNS, [bytesArb], (bytes) => {
      const text = encodeBase64url(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(decodeBase64url(text), bytes);
    });
  });

  test('RFC 4648 §10 test vectors', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      assert.equal(encodeBase64url(plain), encoded);
      assert.equal(decodeUtf8(decodeBase64url(encoded)), plain);
    }
    assert.equal(encodeBase64url(Uint8Array.of(0xfb, 0xff)), '-_8');
  });

  test('rejects padding, whitespace, foreign characters and impossible lengths', () => {
    const bad = [
      'Zg==',
      'Zm8=',
      'Zg=',
      'Zm9v ',
      ' Zm9v',
      'Zm9\nv',
      'Zm9\tv',
      'Zm+v',
      'Zm/v',
      'Z',
      'Zm9vY',
      'Zm9v!',
      'Zé9v',
    ];
    for (const s of bad) throwsCode(() => decodeBase64url(s), 'INVALID_BASE64URL', JSON.stringify(s));
    throwsCode(() => decodeBase64url(42 as unknown as string), 'INVALID_BASE64URL');
  });

  test('rejects non-canonical trailing bits (the same bytes must have one encoding)', () => {
    // 'Zh' and 'Zm9' decode, leniently, to the bytes of 'Zg' and 'Zm8'.
    for (const s of ['Zh', 'Zm9', 'AB', 'AAB', '-_9']) throwsCode(() => decodeBase64url(s), 'INVALID_BASE64URL', s);
    assert.deepEqual(Buffer.from('Zh', 'base64url'), Buffer.from('Zg', 'base64url')); // what lenient decoders do
    assertProperty(
      'base64url trailing bits',
      RUNS,
      [
        fc.uint8Array({ minLength: 1, maxLength: 40 }).filter((b) => b.length % 3 !== 0),
        fc.integer({ min: 1, max: 15 }),
      ],
      (bytes, bits) => {
        const text = encodeBase64url(bytes);
        const unused = bytes.length % 3 === 1 ? 15 : 3;
        const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = chars.indexOf(text[text.length - 1]!);
        const flipped = last | (bits & unused);
        fc.pre(flipped !== last);
        throwsCode(() => decodeBase64url(text.slice(0, -1) + chars[flipped]), 'INVALID_BASE64URL');
      },
    );
  });
});

describe('base64 (standard)', () => {
  test('encodes like Buffer and round-trips (property)', () => {
    assertProperty('base64 round trip', RUNS, [bytesArb], (bytes) => {
      const text = encodeBase64(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(decodeBase64(text), bytes);
    });
  });

  test('requires exact padding and canonical trailing bits; rejects whitespace and URL-safe characters', () => {
    assert.deepEqual(decodeBase64('+/8='), Uint8Array.of(0xfb, 0xff));
    assert.deepEqual(decodeBase64(''), new Uint8Array(0));
    const bad = [
      'Zg', // missing padding
      'Zm8',
      'Zg=',
      'Zg===',
      'Z===',
      '====',
      'Zm9v====',
      'Zg=a',
      'Z=g=',
      'Zh==', // non-canonical
      'Zm9=',
      '-_8=', // base64url alphabet
      'Zm9v\n',
      'Zm 9v',
      ' Zm9v',
      'Zm9v\r\nZm9v',
    ];
    for (const s of bad) throwsCode(() => decodeBase64(s), 'INVALID_BASE64', JSON.stringify(s));
  });
});

describe('hex', () => {
  test('encodes lowercase, decodes either case, round-trips (property)', () => {
    assert.equal(encodeHex(Uint8Array.of(0xca, 0xfe, 0x00)), 'cafe00');
    assert.deepEqual(decodeHex('CAfe00'), Uint8Array.of(0xca, 0xfe, 0x00));
    assertProperty('hex round trip', RUNS, [bytesArb], (bytes) => {
      const text = encodeHex(bytes);
      assert.equal(text, Buffer.from(bytes).toString('hex'));
      assert.deepEqual(decodeHex(text), bytes);
      assert.deepEqual(decodeHex(text.toUpperCase()), bytes);
    });
  });

  test('rejects odd lengths, prefixes, whitespace and non-hex characters', () => {
    for (const s of ['abc', '0x00', ' 00', '00 ', 'zz', 'g0', '0é', '+1']) {
      throwsCode(() => decodeHex(s), 'INVALID_HEX', JSON.stringify(s));
    }
  });
});

describe('utf8', () => {
  test('round-trips text and keeps a byte-order mark visible', () => {
    assert.deepEqual(encodeUtf8('é€😂'), Uint8Array.from(Buffer.from('é€😂')));
    assert.equal(decodeUtf8(encodeUtf8('é€😂')), 'é€😂');
    assert.equal(decodeUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41)), '\ufeffA');
  });

  test('rejects malformed, overlong and surrogate encodings', () => {
    for (const bytes of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]) {
      throwsCode(() => decodeUtf8(Uint8Array.from(bytes)), 'INVALID_UTF8', encodeHex(Uint8Array.from(bytes)));
    }
  });
});

describe('sha256', () => {
  const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

  test('sync helper: FIPS 180-2 "abc" and the empty string; strings hash as UTF-8', () => {
    assert.equal(sha256HexSync('abc'), ABC);
    assert.equal(sha256HexSync(encodeUtf8('abc')), ABC);
    assert.equal(sha256HexSync(''), EMPTY);
    assert.equal(sha256HexSync('é'), createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'));
  });

  test('async form gives the same digests on both providers', async () => {
    for (const provider of [createNodeCryptoProvider(), createWebCryptoProvider()]) {
      assert.equal(await sha256Hex('abc', provider), ABC);
      assert.equal(await sha256Hex(new Uint8Array(0), provider), EMPTY);
    }
    assert.equal(await sha256Hex('abc'), ABC);
  });
});

test('constantTimeEqual compares bytes and strings', () => {
  assert.equal(constantTimeEqual('secret', 'secret'), true);
  assert.equal(constantTimeEqual('secret', 'secreT'), false);
  assert.equal(constantTimeEqual('secret', 'secret!'), false);
  assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
  assert.equal(constantTimeEqual(new Uint8Array(0), ''), true);
});
