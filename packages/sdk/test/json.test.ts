import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { canonicalize, decodeHex, encodeUtf8, parseStrict, type JsonValue } from '../src/index.ts';
import { assertCoverage, assertProperty } from './property-runs.ts';
import { listVectorDir, readVectorBytes, throwsCode, vectorPath } from './vectors.ts';

// VOUCH_FUZZ_RUNS × 4 cases per property (400 by default).
const RUNS = 4;

describe('RFC 8785 canonicalization', () => {
  test('cyberphone JCS test data: input → output byte for byte (and outhex)', (t) => {
    const files = listVectorDir('jcs', 'input');
    let exact = 0;
    for (const file of files) {
      const input = parseStrict(readVectorBytes('jcs', 'input', file));
      const bytes = encodeUtf8(canonicalize(input));
      assert.deepEqual(bytes, readVectorBytes('jcs', 'output', file), `${file}: output/`);
      const hex = readFileSync(vectorPath('jcs', 'outhex', file.replace(/\.json$/, '.txt')), 'utf8');
      assert.deepEqual(bytes, decodeHex(hex.replace(/\s+/g, '')), `${file}: outhex/`);
      exact++;
    }
    t.diagnostic(`JCS: ${exact}/${files.length} byte-exact (${files.join(', ')})`);
    assert.equal(files.length, 6);
  });

  test('ECMAScript number serialization (RFC 8785 §3.2.2.3 and Appendix B samples)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [9007199254740994, '9007199254740994'],
      [1e21, '1e+21'],
      [999999999999999900000, '999999999999999900000'],
      [1e-7, '1e-7'],
      [0.000001, '0.000001'],
      [Number('333333333.33333329'), '333333333.3333333'], // more digits than a double holds
      [295147905179352830000, '295147905179352830000'],
      [4.5, '4.5'],
      [0.002, '0.002'],
    ];
    for (const [n, s] of cases) assert.equal(canonicalize(n), s, String(n));
  });

  test('sorts by UTF-16 code units, not code points or locale', () => {
    // U+20AC < U+D83D (first unit of U+1F602) < U+FB33, although U+1F602 is the largest code point.
    assert.equal(
      canonicalize({ '\ufb33': 3, '😂': 2, '€': 1, b: 0, B: 0, a: 0 }),
      '{"B":0,"a":0,"b":0,"\u20ac":1,"\ud83d\ude02":2,"\ufb33":3}',
    );
    assert.equal(
      canonicalize({ b: { d: 1, c: [{ z: 1, y: 2 }] }, a: null }),
      '{"a":null,"b":{"c":[{"y":2,"z":1}],"d":1}}',
    );
  });

  test('escapes strings as JSON.stringify does', () => {
    assert.equal(
      canonicalize('\u0000\u001f\b\t\n\f\r"\\/\u007f\u2028é😂'),
      '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028é😂"',
    );
  });

  test('rejects what JSON cannot represent instead of dropping or converting it', () => {
    for (const v of [NaN, Infinity, -Infinity, [1, NaN], { a: Infinity }]) {
      throwsCode(() => canonicalize(v), 'NON_FINITE_NUMBER', String(v));
    }
    const fn = (): void => {};
    for (const v of [
      undefined,
      fn,
      Symbol('s'),
      1n,
      { a: undefined },
      [undefined],
      { a: fn },
      new Date(0),
      new Map(),
      new Uint8Array(1),
      Array(2), // holes
    ]) {
      throwsCode(() => canonicalize(v), 'UNSUPPORTED_JSON_VALUE', String(v));
    }
    class Point {
      x = 1;
    }
    throwsCode(() => canonicalize(new Point()), 'UNSUPPORTED_JSON_VALUE');
    throwsCode(() => canonicalize('\ud800'), 'UNSUPPORTED_JSON_VALUE', 'lone surrogate');
    throwsCode(() => canonicalize({ ['a\udc00']: 1 }), 'UNSUPPORTED_JSON_VALUE', 'lone surrogate key');
    assert.equal(canonicalize(Object.assign(Object.create(null) as object, { b: 1, a: 2 })), '{"a":2,"b":1}');
  });

  test('rejects cycles and excessive depth, allows shared references', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    throwsCode(() => canonicalize(o), 'JSON_CYCLE');
    const arr: unknown[] = [];
    arr.push([arr]);
    throwsCode(() => canonicalize(arr), 'JSON_CYCLE');
    const shared = { x: 1 };
    assert.equal(canonicalize({ a: shared, b: [shared, shared] }), '{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
    const nest = (n: number): unknown => (n === 0 ? 0 : [nest(n - 1)]);
    assert.equal(canonicalize(nest(64)), '['.repeat(64) + '0' + ']'.repeat(64));
    throwsCode(() => canonicalize(nest(65)), 'JSON_TOO_DEEP');
    throwsCode(() => canonicalize(nest(3), { maxDepth: 2 }), 'JSON_TOO_DEEP');
    throwsCode(() => canonicalize(1, { maxDepth: 0 }), 'INVALID_ARGUMENT');
  });

  test('canonical output is JSON that parses back to the same value, and is a fixed point (property)', () => {
    assertProperty('canonicalize fixed point', RUNS, [fc.jsonValue({ stringUnit: 'grapheme' })], (v) => {
      const c = canonicalize(v);
      assert.deepStrictEqual(parseStrict(c), JSON.parse(JSON.stringify(v)));
      assert.equal(canonicalize(parseStrict(c)), c);
    });
  });
});

describe('parseStrict', () => {
  test('agrees with JSON.parse on JSON.stringify output (property)', () => {
    assertProperty(
      'parseStrict agrees with JSON.parse',
      RUNS,
      [fc.jsonValue(), fc.constantFrom(undefined, 2, '\t')],
      (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        assert.deepStrictEqual(parseStrict(text), JSON.parse(text));
        assert.deepStrictEqual(parseStrict(encodeUtf8(text)), JSON.parse(text));
      },
    );
  });

  test('with arbitrary UTF-16 code units: equal to JSON.parse when well-formed, INVALID_JSON on lone surrogates', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const seen = { wellFormed: 0, lone: 0 };
    assertProperty('parseStrict on UTF-16 code units', RUNS, [fc.jsonValue({ stringUnit: codeUnit })], (v) => {
      const text = JSON.stringify(v);
      const reference = JSON.parse(text) as unknown;
      if (strings(reference).some((s) => /\p{Cs}/u.test(s))) {
        seen.lone++;
        throwsCode(() => parseStrict(text), 'INVALID_JSON');
      } else {
        seen.wellFormed++;
        assert.deepStrictEqual(parseStrict(text), reference);
      }
    });
    assertCoverage(seen.lone > 0 && seen.wellFormed > 0, seen);
  });

  test('accepts JSON edge forms', () => {
    assert.deepEqual(parseStrict(' \t\r\n{ "a" : [ 1 , -0.5e-3 , 1E+2 , true , false , null , "x" ] } \n'), {
      a: [1, -0.0005, 100, true, false, null, 'x'],
    });
    assert.ok(Object.is(parseStrict('-0'), -0));
    assert.equal(parseStrict('"\\ud83d\\ude02"'), '😂');
    assert.equal(parseStrict('"\\u00e9\\/\\b\\f\\n\\r\\t\\"\\\\"'), 'é/\b\f\n\r\t"\\');
    assert.deepEqual(parseStrict('[]'), []);
    assert.deepEqual(parseStrict('{}'), {});
  });

  test('duplicate member names, also when only escapes differ, at any depth', () => {
    for (const text of [
      '{"a":1,"a":2}',
      '{"a":1,"\\u0061":2}',
      '{"x":{"a":1,"b":2,"a":3}}',
      '[{"a":1},{"b":1,"b":1}]',
      '{"__proto__":1,"__proto__":2}',
      '{"é":1,"\\u00e9":1}',
    ]) {
      throwsCode(() => parseStrict(text), 'DUPLICATE_KEY', text);
    }
  });

  test('"__proto__" is an own member, never the prototype', () => {
    const v = parseStrict('{"__proto__":{"polluted":true},"a":1}') as Record<string, JsonValue>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__', 'a']);
    assert.deepStrictEqual(v, JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('non-finite numbers: NaN, Infinity and overflowing literals', () => {
    for (const text of ['NaN', 'Infinity', '-Infinity', '[1,NaN]', '{"a":Infinity}', '1e309', '-1e400', '[1.8e308]']) {
      throwsCode(() => parseStrict(text), 'NON_FINITE_NUMBER', text);
    }
    assert.equal(parseStrict('1e-400'), 0); // underflow is finite
  });

  test('nesting deeper than 64 (or the configured limit) is refused without stack overflow', () => {
    assert.equal(JSON.stringify(parseStrict('['.repeat(64) + ']'.repeat(64))), '['.repeat(64) + ']'.repeat(64));
    throwsCode(() => parseStrict('['.repeat(65) + ']'.repeat(65)), 'JSON_TOO_DEEP');
    throwsCode(() => parseStrict('{"a":'.repeat(65) + '1' + '}'.repeat(65)), 'JSON_TOO_DEEP');
    throwsCode(() => parseStrict('['.repeat(200000)), 'JSON_TOO_DEEP');
    throwsCode(() => parseStrict('[[[]]]', { maxDepth: 2 }), 'JSON_TOO_DEEP');
    assert.deepEqual(parseStrict('[[[]]]', { maxDepth: 3 }), [[[]]]);
    throwsCode(() => parseStrict('[]', { maxDepth: 1001 }), 'INVALID_ARGUMENT');
  });

  test('syntax errors, trailing data, BOM, control characters, bad escapes, lone surrogates', () => {
    const bad = [
      '',
      ' ',
      '{} x',
      '{}{}',
      '1 2',
      '\ufeff{}',
      '01',
      '1.',
      '.5',
      '+1',
      '1e',
      '-',
      '0x10',
      'tru',
      'nul',
      "'a'",
      '{"a" 1}',
      '{"a":1,}',
      '[1,]',
      '[1 2]',
      '{a:1}',
      '"\u0001"',
      '"a\nb"',
      '"\\x"',
      '"\\u12"',
      '"\\u12g4"',
      '"\\ud800"',
      '"\\udc00\\ud800"',
      '"\ud800"',
      '"abc',
      '[',
      '{"a":',
      '/* c */ 1',
    ];
    for (const text of bad) throwsCode(() => parseStrict(text), 'INVALID_JSON', JSON.stringify(text));
    throwsCode(() => parseStrict(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d)), 'INVALID_JSON', 'UTF-8 BOM');
    throwsCode(() => parseStrict(Uint8Array.of(0x22, 0xff, 0x22)), 'INVALID_JSON', 'invalid UTF-8');
    throwsCode(() => parseStrict(42 as unknown as string), 'INVALID_ARGUMENT');
  });
});

/** Every string in a parsed value, member names included. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      strings(x, out);
    }
  }
  return out;
}
