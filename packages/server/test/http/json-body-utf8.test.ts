// A JSON body must be UTF-8 (RFC 8259 §8.1). Bytes that are not (a stray 0xff, an overlong form, a surrogate encoded
// as three bytes, a cut sequence) were decoded to U+FFFD, so the server stored and answered a string the client never
// sent: an event id `a<0xff>` became `a\ufffd`, the same id as every other such byte. Refused as INVALID_JSON now,
// nothing written; the lone surrogates of json-text.test.ts are the same refusal for the escaped form.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { tableCounts } from '../helpers/app.ts';
import { appWithAllowingAgent, bearer, event } from '../integrators/helpers.ts';

eachEngine('a body with bytes that are not UTF-8 is INVALID_JSON, nothing written', async ({ open }) => {
  const storage = await open();
  const metrics = [{ metricKey: 'done', polarity: 'boost' as const, weight: 1, lane: 'conduct' as const }];
  const { t, key, agent } = await appWithAllowingAgent(storage, 'shop', metrics);
  try {
    const values = [{ metricKey: 'done', booleanValue: true }];
    const text = JSON.stringify([event('shop', agent, values, { externalEventId: 'id-MARK' })]);
    const [head, tail] = text.split('MARK') as [string, string];
    const send = (middle: Buffer) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/ingest',
        payload: Buffer.concat([Buffer.from(head), middle, Buffer.from(tail)]),
        headers: { 'content-type': 'application/json', ...bearer(key) },
      });
    const before = await tableCounts(storage);
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]) {
      const res = await send(Buffer.from(bad));
      assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
      const body = res.json() as { code: string; error: string };
      assert.equal(body.code, 'INVALID_JSON', res.body);
      assert.match(body.error, /not UTF-8/);
    }
    assert.deepEqual(await tableCounts(storage), before, 'a refused body writes nothing');
    // UTF-8 itself (two, three and four bytes) is taken and stored as sent.
    const good = await send(Buffer.from('é€😀'));
    assert.equal(good.statusCode, 200, good.body);
    assert.deepEqual((good.json() as { results: unknown }).results, [{ externalEventId: 'id-é€😀', inserted: true }]);
  } finally {
    await t.app.close();
  }
});
