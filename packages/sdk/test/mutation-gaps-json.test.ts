// Strict-JSON rules that no other test could notice being broken (found by mutation testing): parseStrict must
// refuse what any RFC 8259 parser refuses, or two parsers disagree about a signed document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalize, decodeUtf8, encodeUtf8, isVouchError, parseStrict } from '../src/index.ts';

function refused(input: string | Uint8Array, code = 'INVALID_JSON'): void {
  assert.throws(
    () => parseStrict(input),
    (e: unknown) => isVouchError(e) && e.code === code,
    JSON.stringify(typeof input === 'string' ? input : [...input]),
  );
}

test('every unescaped control character U+0000..U+001F in a string is refused, on both parse paths', () => {
  for (let c = 0; c < 0x20; c++) {
    const ch = String.fromCharCode(c);
    refused(`"a${ch}b"`); // no backslash: the JSON.parse path first
    refused(`"\\n${ch}"`); // a backslash: the reference parser alone
    refused(`{"k${ch}":1}`);
    refused(encodeUtf8(`["${ch}"]`));
  }
  // U+007F and above are fine unescaped; escaped controls are fine.
  assert.equal(parseStrict('"a\u007fb"'), 'a\u007fb');
  assert.equal(parseStrict('"\\u001f"'), '\u001f');
});

test('a UTF-8 byte-order mark is kept by decodeUtf8 and refused by parseStrict', () => {
  const bom = Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d);
  assert.equal(decodeUtf8(bom), '\ufeff{}');
  refused(bom);
  refused('\ufeff{}');
  assert.deepEqual(parseStrict(bom.subarray(3)), {});
});

test('a member name is a double-quoted string followed by a colon, on both parse paths', () => {
  // Without a backslash JSON.parse refuses first and the reference parser words it; with one, it decides alone.
  for (const text of [`{'a":1}`, `{xa":1}`, '{"a"=1}', '{"a"x1}', '{"a";1}']) {
    refused(text);
    refused(text.replace('1}', '"\\n"}'));
  }
  assert.deepEqual(parseStrict('{ "a" :1,"b": "\\n"}'), { a: 1, b: '\n' });
});

test('JSON whitespace is space, tab, LF and CR only, on both parse paths', () => {
  for (const ch of ['\u000b', '\u000c', '\u00a0', '\u2028', '\ufeff']) {
    refused(`${ch}1`);
    refused(`[1,${ch}2]`);
    refused(`["\\n",${ch}2]`);
    refused(`{"\\n":1${ch}}`);
  }
  assert.deepEqual(parseStrict(' \t\r\n["\\n" \t\r\n, 2]'), ['\n', 2]);
});

// `i in v` also finds an element inherited from Array.prototype: a hole was then canonicalized as whatever a polluted
// prototype held at its index (signed as an element the caller never wrote). Only an own element is one now.
test('canonicalize refuses an array hole by name, also where Array.prototype holds an element at its index', () => {
  const hole = (v: unknown) =>
    assert.throws(
      () => canonicalize(v),
      (e: unknown) => isVouchError(e, 'UNSUPPORTED_JSON_VALUE') && /hole/.test(e.message),
    );
  // eslint-disable-next-line no-sparse-arrays
  hole([1, , 2]);
  Object.defineProperty(Array.prototype, 1, { value: 'polluted', configurable: true, writable: true });
  try {
    // eslint-disable-next-line no-sparse-arrays
    hole([1, , 2]);
    hole(new Array(2));
  } finally {
    delete (Array.prototype as unknown as Record<number, unknown>)[1];
  }
  assert.equal(canonicalize([1, null, 2]), '[1,null,2]');
});

test('an escape is one of RFC 8259, also where Object.prototype holds a one-letter member', () => {
  Object.defineProperty(Object.prototype, 'q', { value: 'Q', configurable: true, writable: true });
  try {
    refused('"\\q"');
    refused('{"\\q":1}');
  } finally {
    delete (Object.prototype as Record<string, unknown>).q;
  }
  assert.equal(parseStrict('"\\/"'), '/');
});

test('a byte-order mark and a short \\u escape are refused in their own words', () => {
  const says = (input: string | Uint8Array, words: RegExp) =>
    assert.throws(
      () => parseStrict(input),
      (e: unknown) => isVouchError(e, 'INVALID_JSON') && words.test(e.message),
    );
  says('\ufeff{}', /byte-order mark/);
  says(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d), /byte-order mark/);
  says('"\\u12"', /Invalid \\u escape at position 1/);
  says('["\\u004"]', /Invalid \\u escape at position 2/);
});

test('array elements and object members are separated by commas only, on both parse paths', () => {
  for (const text of [
    '[1;2]',
    '[1 2]',
    '["\\n";2]',
    '["\\n"|2]',
    '{"a":1;"b":2}',
    '{"a":"\\n";"b":2}',
    '{"a":1 "b":2}',
  ]) {
    refused(text);
  }
  assert.deepEqual(parseStrict('["\\n" , 2]'), ['\n', 2]);
});

test('parseStrict takes a string or a Uint8Array only: any other object is INVALID_ARGUMENT, not INVALID_JSON', () => {
  for (const input of [
    null,
    {},
    [0x7b, 0x7d],
    new ArrayBuffer(2),
    new Uint16Array(1),
    new DataView(new ArrayBuffer(2)),
  ]) {
    assert.throws(
      () => parseStrict(input as unknown as string),
      (e: unknown) => isVouchError(e, 'INVALID_ARGUMENT'),
      String(input),
    );
  }
  assert.deepEqual(parseStrict(Buffer.from('{}')), {});
});
