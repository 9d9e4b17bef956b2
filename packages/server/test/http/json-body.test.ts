// parseJsonBody measures nesting on the parsed value when every bracket of the text became an array or object,
// and scans the text otherwise: both must give the answer of "scan the text first, then parse" on every input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStrict, VouchError } from '@vouch/sdk';
import { ApiError } from '../../src/errors.ts';
import { jsonTextDepth, parseJsonBody } from '../../src/http/json-body.ts';

/**
 * The answer of the plain algorithm: blank check, text depth, a member name repeated in one object (the SDK's strict
 * parser, which compares names after unescaping), then JSON.parse refusing "__proto__".
 */
function reference(text: string, max: number): { code: string } | { value: unknown } {
  if (!/\S/.test(text)) return { code: 'INVALID_JSON' };
  if (jsonTextDepth(text, max) > max) return { code: 'JSON_TOO_DEEP' };
  try {
    parseStrict(text, { maxDepth: 1000 });
  } catch (err) {
    if (err instanceof VouchError && err.code === 'DUPLICATE_KEY') return { code: 'INVALID_JSON' };
  }
  try {
    return {
      value: JSON.parse(text, (key, v: unknown) => {
        if (key === '__proto__') throw new ApiError('VALIDATION_FAILED', 'proto');
        return v;
      }),
    };
  } catch (err) {
    return { code: err instanceof ApiError ? err.code : 'INVALID_JSON' };
  }
}

function actual(text: string, max: number): { code: string } | { value: unknown } {
  try {
    return { value: parseJsonBody(text, max) };
  } catch (err) {
    assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
    return { code: err.code };
  }
}

const nest = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);
const objs = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

const MAX = 8;
const cases: Array<[string, string]> = [
  [
    'at the limit, many openers',
    `[${Array(20)
      .fill(nest(MAX - 1))
      .join(',')}]`,
  ],
  [
    'one past the limit, many openers',
    `[${Array(20)
      .fill(nest(MAX - 1))
      .join(',')}, ${nest(MAX)}]`,
  ],
  ['deep objects', objs(MAX + 1)],
  ['deep and invalid', '['.repeat(MAX * 3)],
  ['deep, then invalid', nest(MAX + 2) + ','],
  ['shallow and invalid, many openers', `[${'{},'.repeat(20)}`],
  ['brackets inside strings', `{"a":"${'[{'.repeat(40)}", "b": [${'[],'.repeat(20)}[]]}`],
  ['brackets inside strings hide a deep value', `["${']'.repeat(20)}", ${nest(MAX + 1)}, ${'[],'.repeat(20)}[]]`],
  ['escaped quotes and brackets', `["\\"${'['.repeat(30)}\\"", ${'{},'.repeat(20)}{}]`],
  ['a repeated key drops a deep value', `{"a": ${nest(MAX + 2)}, "a": 1, "b": [${'[],'.repeat(20)}[]]}`],
  ['a repeated key drops shallow values', `{"a": [${'[],'.repeat(30)}[]], "a": 1}`],
  ['a repeated key drops a deep value inside an array', `[${'{},'.repeat(20)}{"x": ${objs(MAX + 3)}, "x": {}}]`],
  ['__proto__ key with many openers', `[${'{},'.repeat(20)}{"__proto__": {}}]`],
  ['escaped __proto__ key', `[${'{},'.repeat(20)}{"\\u005f_proto__": 1}]`],
  ['deep with a \\u escape (reviver path)', `["\\u0041", ${nest(MAX + 1)}]`],
  [
    'ingest-like batch',
    `[${Array(50).fill('{"envId":"a.b.v1","metricValues":[{"metricKey":"k","numberValue":1}],"data":{"i":1}}').join(',')}]`,
  ],
  ['scalar', '42'],
  ['blank', ' \n\t'],
];

for (const [name, text] of cases) {
  test(`parseJsonBody agrees with scan-then-parse: ${name}`, () => {
    assert.deepEqual(actual(text, MAX), reference(text, MAX));
  });
}

test('parseJsonBody refuses what it must on the cases above (the comparison is not vacuous)', () => {
  const codes = cases.map(([, text]) => {
    const r = actual(text, MAX);
    return 'code' in r ? r.code : 'ok';
  });
  assert.deepEqual(codes, [
    'ok',
    'JSON_TOO_DEEP',
    'JSON_TOO_DEEP',
    'JSON_TOO_DEEP',
    'JSON_TOO_DEEP',
    'INVALID_JSON',
    'ok',
    'JSON_TOO_DEEP',
    'ok',
    'JSON_TOO_DEEP',
    'INVALID_JSON',
    'JSON_TOO_DEEP',
    'VALIDATION_FAILED',
    'VALIDATION_FAILED',
    'JSON_TOO_DEEP',
    'ok',
    'ok',
    'INVALID_JSON',
  ]);
});

test('parseJsonBody agrees with scan-then-parse on random bracket texts', () => {
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const atoms = ['1', '"["', '"]"', '"{\\"}"', '[]', '{}', 'true'];
  const gen = (depth: number): string => {
    const r = rand(6);
    if (depth > 12 || r === 0) return atoms[rand(atoms.length)]!;
    const n = rand(4);
    const items = Array.from({ length: n }, () => gen(depth + 1));
    if (r % 2 === 0) return `[${items.join(',')}]`;
    // Repeated keys on purpose: "k" twice drops the first value.
    return `{${items.map((v, i) => `"${i % 2 === 0 ? 'k' : `k${i}`}":${v}`).join(',')}}`;
  };
  for (let i = 0; i < 2000; i++) {
    const text = gen(0);
    for (const max of [2, 4, 6]) assert.deepEqual(actual(text, max), reference(text, max), text);
  }
});

test('parseJsonBody agrees with the reference on random objects with repeated, escaped and colon names', () => {
  let seed = 11;
  // The high bits of the generator: its low bits cycle with a short period.
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 8) % n;
  const names = ['a', '\\u0061', 'b', 'a:b', '\\"', '\\u0022', '__proto__', 'constructor', 'k\\n', 'k\\u000a'];
  const atoms = ['1', '"x:y"', '"\\u003a"', '"{:}"', '[]', '{}', 'null', '"12:00:00"', '"a\\":"', '"a :b"'];
  const gen = (depth: number): string => {
    const r = rand(5);
    if (depth > 5 || r === 0) return atoms[rand(atoms.length)]!;
    const items = Array.from({ length: rand(4) }, () => gen(depth + 1));
    if (r === 1) return `[${items.join(',')}]`;
    // Whitespace before a colon hides a name's `":`: the parser then counts colons instead.
    const colon = rand(8) === 0 ? [' :', '\n:', '\t : ', '\r\n:'][rand(4)]! : ':';
    return `{${items.map((v) => `"${names[rand(names.length)]!}"${colon}${v}`).join(',')}}`;
  };
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const text = gen(0);
    const expected = reference(text, 8);
    assert.deepEqual(actual(text, 8), expected, text);
    seen.add('code' in expected ? expected.code : 'ok');
  }
  assert.deepEqual([...seen].sort(), ['INVALID_JSON', 'VALIDATION_FAILED', 'ok']);
});
