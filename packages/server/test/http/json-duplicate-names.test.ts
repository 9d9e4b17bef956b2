// JSON.parse keeps the last of repeated member names, while a proxy, WAF or audit tool may act on the first: a body
// that repeats a name in any object is refused with 400 INVALID_JSON, names compared after unescaping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listServerKeys } from '../../src/storage/index.ts';
import { ApiError } from '../../src/errors.ts';
import { parseJsonBody } from '../../src/http/json-body.ts';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, tokenApp } from '../tokens/helpers.ts';

function code(text: string): string {
  try {
    parseJsonBody(text, 64);
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err.code;
  }
}

const colonHeavy = JSON.stringify({
  id: 'urn:vouch:event:1',
  at: '2026-12-04T22:15:55.123Z',
  links: Array.from({ length: 40 }, (_, i) => ({
    url: `https://example.test:8443/a:b/${i}?t=12:00:00`,
    seen: `2026-12-0${(i % 9) + 1}T0${i % 10}:00:00Z`,
    'key:with:colons': 'x:y',
  })),
});

test('a member name repeated in one object is refused with INVALID_JSON, at any depth', () => {
  for (const text of [
    '{"purpose":"tokens","purpose":"capability"}',
    '{"a":1,"a":1}',
    '{"a":{"b":1,"c":{"d":[1,{"e":1,"e":2}]}}}',
    '{"a":{"b":1,"b":2}}',
    '[{"x":1},{"x":2},{"y":1,"z":2,"y":3}]',
    '[[[{"k":"v"}]],[{"k":1,"k":{}}]]',
    '{"at":"12:00","at":"13:00"}',
    '{"a:b":1,"{":2,"[":3,"a:b":4}',
    // Whitespace before a colon, and a `":` inside a string.
    '{"a" :1,"a":2}',
    '{"a"\n:1,"b":"x\\":y","a"\t:2}',
    '{"a":"\\":\\":\\":","a":1}',
    // Only a tab, or only a CR, before a colon: still whitespace that hides a name's `":`.
    '{"a"\t:1,"a":2}',
    '{"a":1,"a"\r:2}',
    // A colon written as \u003a or \u003A is in the parsed string but not in the text: it must not stand in for the
    // colon a dropped member took with it.
    '{"a" :1,"x":"\\u003a","a":2}',
    '{"a" :1,"x":"\\u003A","a":2}',
    // Compared after unescaping.
    '{"a":1,"\\u0061":2}',
    '{"\\u0041b":1,"A\\u0062":2}',
    '{"\\"":1,"\\u0022":2}',
    '{"a\\\\":1,"a\\u005c":2}',
    '{"\\/":1,"/":2}',
    // Names that are also Object.prototype's: a name like any other.
    '{"constructor":1,"constructor":2}',
    '{"toString":{},"hasOwnProperty":1,"toString":[]}',
  ]) {
    assert.equal(code(text), 'INVALID_JSON', text);
  }
  assert.match(
    (() => {
      try {
        parseJsonBody('{"x":{"purpose":1,"purpose":2}}', 64);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })(),
    /repeats the member name "purpose"/,
  );
});

test('"__proto__" repeated is refused as a repeated name, and a repeat that drops a "__proto__" still is', () => {
  for (const text of [
    '{"__proto__":1,"__proto__":2}',
    '{"__proto__":{},"\\u005f_proto__":{}}',
    '{"a":{"__proto__":1},"a":2}',
    '{"a":2,"a":{"__proto__":1}}',
    '[{"__proto__":null,"x":1,"x":2}]',
    // A lone surrogate and a repeat: refused either way, with the same code.
    '{"a":"\\ud800","a":1}',
  ]) {
    assert.equal(code(text), 'INVALID_JSON', text);
  }
  // Without a repeat, "__proto__" keeps its own refusal.
  assert.equal(code('{"__proto__":1,"a":1}'), 'VALIDATION_FAILED');
  assert.equal(code('{"__proto__":{"__proto__":1}}'), 'VALIDATION_FAILED');
});

test('the same name in different objects, and colons inside strings, are accepted', () => {
  for (const text of [
    '{"a":{"a":{"a":1}}}',
    '[{"x":1},{"x":2},{"x":3}]',
    '{"a":1,"\\u0062":2,"A":3}',
    '{"a":1,"a ":2," a":3}',
    '{"toString":1,"constructor":2,"hasOwnProperty":3,"__defineGetter__":4}',
    '{"u":"a\\u003ab","v":"\\"a\\":1,\\"a\\":2"}',
    '{"\\"":1,"\\\\":2,"\\\\\\"":3}',
    '"a:b:c"',
    '["a:b",{"c":"d:e"},[]]',
    '{}',
    '{"a" : 1, "b"\r\n:\t{"a"\n:"x:y"}}',
    '{"a":"\\":\\":\\":","b":1}',
    colonHeavy,
    JSON.stringify(JSON.parse(colonHeavy), null, 2),
    // With a \\u escape the value's colons are not counted: the exact scan decides.
    colonHeavy.replace('"urn:', '"\\u0075rn:'),
    colonHeavy.replace('"id"', '"i\\nd"'),
  ]) {
    assert.equal(code(text), 'ok', text);
  }
  assert.equal(code(colonHeavy.replace('"key:with:colons"', '"url"')), 'INVALID_JSON');
});

test('the parsed value is JSON.parse answer when nothing repeats', () => {
  assert.deepEqual(parseJsonBody(colonHeavy, 64), JSON.parse(colonHeavy));
  assert.deepEqual(parseJsonBody('{"a":1,"\\u0062":"x:y"}', 64), { a: 1, b: 'x:y' });
});

eachEngine('a key rotation whose body repeats "purpose" is refused and rotates nothing', async ({ open }) => {
  const storage = await open();
  const t = await tokenApp(storage);
  try {
    // Start the keys the app creates on first use.
    await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const before = await listServerKeys(storage, t.kek);
    for (const payload of [
      '{"purpose":"tokens","purpose":"capability"}',
      '{"purpose":"capability","\\u0070urpose":"tokens"}',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/keys/rotate',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        payload,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'INVALID_JSON');
      assert.match(res.json().error, /repeats the member name "purpose"/);
    }
    const after = await listServerKeys(storage, t.kek);
    assert.deepEqual(
      after.map((k) => [k.kid, k.status]),
      before.map((k) => [k.kid, k.status]),
    );
    const audit = await storage.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'server_key.rotate')
      .execute();
    assert.equal(audit.length, 0);
    // The same body without the repeat rotates.
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/keys/rotate',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      payload: '{"purpose":"capability"}',
    });
    assert.equal(ok.statusCode, 201, ok.body);
  } finally {
    await t.app.close();
  }
});
