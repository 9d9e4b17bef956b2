// The token inspector takes its token as a form field or as JSON `{token}`. A JSON body the server's parser refuses (a
// member repeated, which a form's repeated field already answered with the page; text that is not JSON; nesting too
// deep; a "__proto__" member) answered the API's JSON error instead of the inspector's 400 page (docs/PROTOCOL.md
// "Not a JWT, empty, repeated or unknown fields: 400 page"). It is now the page, with the parser's reason.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_PUBLIC_URL: 'https://vouch.test' };

eachEngine('POST /tokens/inspect: a JSON body the parser refuses is the 400 page', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  try {
    const cases: Array<[string, RegExp]> = [
      ['{"token":"a.b.c","token":"d.e.f"}', /repeats the member name &#34;token&#34;/],
      ['{"token":', /not valid JSON/],
      [`${'['.repeat(200)}${']'.repeat(200)}`, /nests deeper/],
      ['{"token":"a.b.c","__proto__":{}}', /__proto__/],
    ];
    for (const [payload, reason] of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/tokens/inspect',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      assert.equal(res.statusCode, 400, `${payload.slice(0, 40)}: ${res.body.slice(0, 200)}`);
      assert.match(String(res.headers['content-type']), /^text\/html/, payload.slice(0, 40));
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(res.body, /id="token-verdict">not a token</, payload.slice(0, 40));
      assert.match(res.body, reason, payload.slice(0, 40));
    }
    // Other routes keep the API's JSON error.
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/registry/verify',
      headers: { 'content-type': 'application/json' },
      payload: '{"token":"a","token":"b"}',
    });
    assert.equal(api.statusCode, 400);
    assert.equal((api.json() as { code: string }).code, 'INVALID_JSON');
  } finally {
    await t.app.close();
  }
});
