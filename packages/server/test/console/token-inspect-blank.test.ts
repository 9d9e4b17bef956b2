// The token inspector answers a token field that is empty or only whitespace (a paste of blank lines) with its 400
// page asking for a token. No test sent one: without the route's `.trim()`, a blank paste passed for a token and was
// refused by the JWT decoder instead ("exactly three dot-separated parts"), and the mutation passed every test.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_PUBLIC_URL: 'https://vouch.test' };

eachEngine(
  'token inspector: an empty or blank token field is the 400 page "Paste a token first."',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: ENV });
    try {
      for (const token of ['', ' ', '\r\n\t \n']) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/tokens/inspect',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token }).toString(),
        });
        assert.equal(res.statusCode, 400, JSON.stringify(token));
        assert.match(res.body, /<p class="error" id="token-error">Paste a token first\.<\/p>/, JSON.stringify(token));
        assert.match(res.body, /<textarea [^>]*><\/textarea>/, 'the form comes back empty');
      }
    } finally {
      await t.app.close();
    }
  },
);
