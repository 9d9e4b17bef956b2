// The token verifier's fast paths against the reference code they stand in for: native JSON.parse in parseStrict,
// Node's base64url codec, the header cache. Each must give the reference answer or step aside (undefined), never
// another answer; the cases below fail if a fast path accepted what the reference refuses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeBase64url,
  decodeJws,
  encodeBase64url,
  encodeUtf8,
  generateKeyPair,
  isVouchError,
  keysFromJwks,
  parseStrict,
  signJwt,
  verifyJwt,
} from '../src/index.ts';
import type { VouchErrorCode } from '../src/index.ts';
import { parseStrictFast, parseStrictSlow } from '../src/json/parse-strict.ts';
import { decodeBase64urlNative, hasNativeBase64url } from '../src/lib/native-base64url.ts';
import { decodeJwsForVerify } from '../src/jwt/decode.ts';
import { assertCoverage, assertProperty } from './property-runs.ts';
import { throwsCode } from './vectors.ts';

/** What a function gives: its value, or the code of the VouchError it throws. */
function outcome<T>(f: () => T): { value: T } | { code: string } {
  try {
    return { value: f() };
  } catch (err) {
    if (!isVouchError(err)) throw err;
    return { code: err.code };
  }
}

/** The fast parser either steps aside or agrees with the reference parser, which must then accept the text. */
function assertFastAgrees(text: string, maxDepth = 64, noSurrogates = false): 'fast' | 'slow' {
  const fast = parseStrictFast(text, maxDepth, noSurrogates);
  const slow = outcome(() => parseStrictSlow(text, maxDepth));
  if (fast === undefined) return 'slow';
  assert.ok('value' in slow, `fast path accepted what the reference refuses (${JSON.stringify(slow)}): ${text}`);
  assert.deepStrictEqual(fast, slow.value, text);
  return 'fast';
}

describe('parseStrict fast path (JSON.parse, checked)', () => {
  test('refuses every duplicate member, whatever colons the strings hold', () => {
    const duplicates = [
      '{"a":1,"a":2}',
      '{"a:":1,"a:":2}',
      '{"x":"::","x":"::"}',
      '{"a":{"b":1,"b":1}}',
      '[{"k":1},{"k":1,"k":1}]',
      // The dropped value held colons and members: the shortfall is larger, never hidden.
      '{"a":{"p:q":"r:s","t":[1]},"a":"::::::"}',
      // A dropped member whose colons the kept value's string would "replace": still one member short.
      '{"a":"","b":1,"a":":"}',
      '{"__proto__":1,"__proto__":2}',
      '{"1":0,"01":1,"1":2}',
    ];
    for (const text of duplicates) {
      assert.equal(parseStrictFast(text, 64, false), undefined, text);
      throwsCode(() => parseStrict(text), 'DUPLICATE_KEY');
    }
  });

  test('refuses what JSON.parse lets through, and words it like the reference', () => {
    const cases: Array<[string, VouchErrorCode, number?]> = [
      ['[1e400]', 'NON_FINITE_NUMBER'],
      ['{"a":-1e999}', 'NON_FINITE_NUMBER'],
      ['[[[1]]]', 'JSON_TOO_DEEP', 2],
      ['{"a":{"b":{}}}', 'JSON_TOO_DEEP', 2],
      ['"\\ud800"', 'INVALID_JSON'],
      ['{"a":"\\udc00x"}', 'INVALID_JSON'],
      ['"\ud800"', 'INVALID_JSON'],
      ['{"\udfff":1}', 'INVALID_JSON'],
    ];
    for (const [text, code, maxDepth] of cases) {
      assert.equal(parseStrictFast(text, maxDepth ?? 64, false), undefined, text);
      throwsCode(() => parseStrict(text, { maxDepth }), code);
    }
    // Exactly at the depth limit, both accept.
    assert.deepEqual(parseStrict('[[1]]', { maxDepth: 2 }), [[1]]);
    assert.equal(assertFastAgrees('[[1]]', 2), 'fast');
    assert.equal(assertFastAgrees('{"a":{"b":1}}', 2), 'fast');
  });

  test('takes the fast path on plain documents, with the reference value', () => {
    const plain = [
      '{"iss":"https://vouch.example","sub":"did:identity:abc","iat":1,"exp":2,"jti":"j:1","https://x/claims/a":"b"}',
      '{"__proto__":{"a":1},"b":[-0,0.5e-3,1E+2,true,false,null]}',
      '{"2":"a","1":"b","x:y":{"":""}}',
      ' [ ] ',
      '"::"',
      '-0',
    ];
    for (const text of plain) assert.equal(assertFastAgrees(text), 'fast', text);
    assert.ok(Object.is(parseStrict('-0'), -0));
    const proto = parseStrict('{"__proto__":{"a":1}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(Object.keys(proto), ['__proto__']);
  });

  test('a polluted Object.prototype cannot hide a duplicate', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = ':';
    try {
      assert.equal(parseStrictFast('{"a":1,"a":2}', 64, false), undefined);
      throwsCode(() => parseStrict('{"a":1,"a":2}'), 'DUPLICATE_KEY');
    } finally {
      delete proto.polluted;
    }
  });

  test('agrees with the reference parser on generated near-JSON (property)', () => {
    // Small alphabets so that duplicates, colons in strings, bad numbers and broken syntax all come up often.
    const key = fc.constantFrom('a', 'b', 'a:', ':', '', '__proto__', '1', 'x\\u0061', 'é');
    const leaf = fc.constantFrom('1', '-0', '1e400', '2.5E-3', 'true', 'null', '"s:t"', '":"', '"\\ud800"', '"x"');
    const doc = fc.letrec<{ value: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
        fc
          .array(fc.tuple(key, tie('value')), { maxLength: 5 })
          .map((ms) => `{${ms.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
      ),
    })).value;
    const noise = fc.constantFrom('', ' ', ',', '}', '"', ':', '\u0000', '\ud800');
    const seen = { fast: 0, slow: 0 };
    // VOUCH_FUZZ_RUNS × 20 cases (2000 by default).
    const ran = assertProperty(
      'parseStrict fast path agrees',
      20,
      [doc, noise, fc.nat(), fc.integer({ min: 1, max: 4 })],
      (text, junk, at, maxDepth) => {
        for (const t of [text, text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1))]) {
          seen[assertFastAgrees(t, maxDepth)]++;
          // And through the public entry point, for strings and for bytes.
          const viaSlow = outcome(() => parseStrictSlow(t, maxDepth));
          assert.deepStrictEqual(
            outcome(() => parseStrict(t, { maxDepth })),
            viaSlow,
            t,
          );
          if (!/\p{Cs}/u.test(t))
            assert.deepStrictEqual(
              outcome(() => parseStrict(encodeUtf8(t), { maxDepth })),
              viaSlow,
            );
        }
      },
    );
    // Both paths come up often (over 5% of the cases each: 100 of the default 2000).
    assertCoverage(seen.fast > ran / 20 && seen.slow > ran / 20, seen);
  });
});

describe('native base64url (Node Buffer, checked by round trip)', () => {
  test('is in use on Node', () => {
    assert.equal(hasNativeBase64url, true);
  });

  test('accepts exactly what decodeBase64url accepts, with the same bytes (property)', () => {
    const char = fc.constantFrom(...'AQgw_-Zz09+/= \n.é\u0000'.split(''), 'A', 'B', 'g', '8');
    const seen = { accepted: 0, refused: 0 };
    // VOUCH_FUZZ_RUNS × 30 cases (3000 by default).
    const ran = assertProperty('native base64url agrees', 30, [fc.array(char, { maxLength: 12 })], (chars) => {
      const text = chars.join('');
      const native = decodeBase64urlNative(text);
      const reference = outcome(() => decodeBase64url(text));
      if ('value' in reference) {
        seen.accepted++;
        assert.ok(native !== undefined, text);
        assert.deepEqual(Uint8Array.from(native), reference.value);
      } else {
        seen.refused++;
        assert.equal(native, undefined, text);
      }
    });
    // Both answers come up often (over 100 of the default 3000 cases each).
    assertCoverage(seen.accepted > ran / 30 && seen.refused > ran / 30, seen);
  });

  test('refuses padding, whitespace, the standard alphabet and non-zero trailing bits', () => {
    for (const text of ['Zg==', 'Zg=', 'Z g', 'Zg\n', '+/8', '-_9', 'Zh', 'Zm9', 'Zm9vY', 'Zm9v.']) {
      assert.equal(decodeBase64urlNative(text), undefined, text);
      throwsCode(() => decodeBase64url(text), 'INVALID_BASE64URL');
    }
    assert.deepEqual(Uint8Array.from(decodeBase64urlNative('-_8')!), Uint8Array.of(0xfb, 0xff));
    assert.deepEqual(Uint8Array.from(decodeBase64urlNative('')!), new Uint8Array(0));
  });
});

describe('decodeJwsForVerify', () => {
  test('gives decodeJws answers on well-formed and broken tokens', async () => {
    const { privateKey, publicJwk, thumbprint } = await generateKeyPair('P-256');
    const token = await signJwt({ iss: 'i', sub: 's', jti: 'j' }, privateKey, { kid: thumbprint });
    const [h, p, s] = token.split('.') as [string, string, string];
    const variants = [
      token,
      `${h}.${p}=.${s}`,
      `${h}.${p}.${s}=`,
      `${h}.${p.slice(0, -1)}+.${s}`,
      `${h}.${p} .${s}`,
      `${h}.${p}.${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`,
      `${h}.${encodeBase64url('{"a":1}')}.${s}`,
      `${h}.${encodeBase64url(new Uint8Array([0xff, 0xfe]))}.${s}`,
      `${h}..${s}`,
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}x.${p}.${s}`,
      `${h.slice(0, -2)}.${p}.${s}`,
      `.${p}.${s}`,
      `${h}.é.${s}`,
    ];
    for (const t of variants) {
      const reference = outcome(() => decodeJws(t));
      const fast = outcome(() => decodeJwsForVerify(t));
      if ('code' in reference) {
        assert.deepEqual(fast, reference, t);
        continue;
      }
      assert.ok('value' in fast, t);
      const a = fast.value;
      const b = reference.value;
      assert.deepEqual(a.header, b.header);
      for (const k of ['payload', 'signature', 'signingInput'] as const) assert.deepEqual(Uint8Array.from(a[k]), b[k]);
    }
    // The public decode hands out plain arrays of its own.
    const decoded = decodeJws(token);
    for (const k of ['payload', 'signature', 'signingInput'] as const) {
      assert.equal(Object.getPrototypeOf(decoded[k]), Uint8Array.prototype);
    }
    const resolveKey = keysFromJwks({ keys: [{ ...publicJwk, kid: thumbprint }] });
    assert.deepEqual((await verifyJwt(token, { resolveKey, issuer: 'i', now: 0, requiredClaims: [] })).claims, {
      iss: 'i',
      sub: 's',
      jti: 'j',
    });
  });

  test('the header cache: a header that only shares a prefix with the last one is decoded for itself', async () => {
    const { privateKey } = await generateKeyPair('P-256');
    const short = await signJwt({ a: 1 }, privateKey, { kid: 'k' });
    const long = await signJwt({ a: 1 }, privateKey, { kid: 'k', typ: 'JWT' });
    // Warm the cache on one header, then alternate; each token keeps its own header.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(decodeJwsForVerify(short).header, { alg: 'ES256', kid: 'k' });
      assert.deepEqual(decodeJwsForVerify(long).header, { alg: 'ES256', kid: 'k', typ: 'JWT' });
    }
    // A header with the same text followed by more characters is another header, refused on its own merits.
    const [h, p, s] = short.split('.') as [string, string, string];
    decodeJwsForVerify(short);
    throwsCode(() => decodeJwsForVerify(`${h}A.${p}.${s}`), 'JWT_MALFORMED');
    decodeJwsForVerify(short);
    const extended = encodeBase64url('{"alg":"ES256","kid":"k","crit":["x"]}');
    assert.deepEqual(decodeJwsForVerify(`${extended}.${p}.${s}`).header.crit, ['x']);
    // Callers get copies: editing one header changes no later decode.
    const first = decodeJwsForVerify(short).header;
    first.kid = 'changed';
    assert.equal(decodeJwsForVerify(short).header.kid, 'k');
  });
});
