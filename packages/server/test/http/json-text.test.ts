// Request bodies whose keys or strings are not well-formed UTF-16 (lone surrogates, which the databases store as
// U+FFFD) are refused as INVALID_JSON, naming where; "__proto__" keys are refused as before, without a reviver.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/errors.ts';
import { parseJsonBody } from '../../src/http/json-body.ts';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { appWithAllowingAgent, bearer, event } from '../integrators/helpers.ts';

function refusal(text: string, maxDepth = 8): { code: string; message: string } | undefined {
  try {
    parseJsonBody(text, maxDepth);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
    return { code: err.code, message: err.message };
  }
}

const nest = (n: number, inner: string) => '['.repeat(n) + inner + ']'.repeat(n);

test('a lone surrogate in a string or a key is INVALID_JSON naming where it is; pairs and deeper refusals kept', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"id":"a\\ud800"}', /a string in body\.$/],
    ['[{"id":"x"},{"id":"y\\udfff"}]', /a string in body\[1\]\.$/],
    ['{"data":{"list":["ok","\\udbff"]}}', /a string in body\.data\.list\.$/],
    ['{"data":{"k\\ud800":1}}', /a key of body\.data\.$/],
    ['{"a b":{"\\udc00":1}}', /a key of body\["a b"\]\.$/],
    ['"\\ud800"', /at body\.$/],
    // A low surrogate before its high one is no pair.
    ['{"id":"\\udc00\\ud800"}', /a string in body\.$/],
  ];
  for (const [text, where] of cases) {
    const r = refusal(text);
    assert.equal(r?.code, 'INVALID_JSON', text);
    assert.match(r.message, /not well-formed Unicode/, text);
    assert.match(r.message, where, text);
  }
  // A string passed in directly (not decoded from UTF-8 bytes) may hold one without any escape.
  assert.equal(refusal('{"id":"a\ud800"}')?.code, 'INVALID_JSON');

  // Well-formed pairs and other escapes are kept.
  assert.deepEqual(parseJsonBody('{"emoji":"\\ud83d\\ude00","\\u00e9":"\\u0041"}', 8), { emoji: '😀', é: 'A' });
  assert.deepEqual(parseJsonBody('["😀", {"k😀": "é"}]', 8), ['😀', { 'k😀': 'é' }]);

  // Refusals keep their order: too deep, then not JSON, then the flaws (whichever the walk meets first).
  assert.equal(refusal(`["\\ud800", ${nest(9, '1')}]`)?.code, 'JSON_TOO_DEEP');
  assert.equal(refusal(`[{"__proto__": 1}, ${nest(9, '1')}]`)?.code, 'JSON_TOO_DEEP');
  assert.match(refusal('["\\ud800", {"__proto__": 1}')!.message, /not valid JSON/);
  assert.ok(['INVALID_JSON', 'VALIDATION_FAILED'].includes(refusal('[{"__proto__": "\\ud800"}]')!.code));
});

test('"__proto__" keys are refused wherever they are, however spelled, without a JSON.parse reviver', (t) => {
  // The reviver JSON.parse calls on every member cost more than the parse itself.
  const parse = t.mock.method(JSON, 'parse');
  for (const text of [
    '{"__proto__":{}}',
    '[1, {"a": [{"__proto__": null}]}]',
    '{"\\u005f_proto__": 1}',
    // No "proto" in the text: only an escape spells it.
    '{"__pr\\u006fto__": 1}',
    `[${'{},'.repeat(20)}{"x": {"__proto__": 1}}]`,
  ]) {
    assert.equal(refusal(text)?.code, 'VALIDATION_FAILED', text);
  }
  // A repeated key is refused as such, even where it drops the "__proto__"; "__proto__" as a value is only a string.
  assert.equal(refusal('{"a":{"__proto__":1},"a":2}')?.code, 'INVALID_JSON');
  assert.deepEqual(parseJsonBody('{"k":"__proto__","proto":["\\u0041"]}', 8), { k: '__proto__', proto: ['A'] });
  assert.ok(parse.mock.callCount() >= 7);
  for (const call of parse.mock.calls) assert.equal(call.arguments[1], undefined, 'JSON.parse called with a reviver');
});

eachEngine('ingestion refuses an event id or data key with a lone surrogate and writes nothing', async ({ open }) => {
  const storage = await open();
  const metrics = [{ metricKey: 'done', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', metrics);
  try {
    const send = (events: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        // JSON.stringify writes a lone surrogate as a \u escape, as a client would send it.
        payload: JSON.stringify(events),
        headers: { 'content-type': 'application/json', ...bearer(key) },
      });
    const values = [{ metricKey: 'done', booleanValue: true }];
    const before = await tableCounts(storage);
    for (const events of [
      [event('shop', agent, values, { externalEventId: 'lone-\ud800' })],
      [
        event('shop', agent, values, { externalEventId: 'ok-1' }),
        event('shop', agent, values, { externalEventId: 'b\udbff' }),
      ],
      [event('shop', agent, values, { externalEventId: 'ok-2', data: { ['\udc00key']: 1 } })],
    ]) {
      const res = await send(events);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal((res.json() as { code: string }).code, 'INVALID_JSON');
    }
    assert.deepEqual(await tableCounts(storage), before, 'a refused body writes nothing');

    // A well-formed pair is stored as sent: a retry of the same id is recognised.
    const id = 'pair-\ud83d\ude00';
    const first = await send([event('shop', agent, values, { externalEventId: id })]);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual((first.json() as { results: unknown }).results, [{ externalEventId: id, inserted: true }]);
    const again = await send([event('shop', agent, values, { externalEventId: id })]);
    assert.deepEqual((again.json() as { results: unknown }).results, [{ externalEventId: id, inserted: false }]);
  } finally {
    await t.app.close();
  }
});
