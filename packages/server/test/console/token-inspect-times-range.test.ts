// Mutation gap in the token inspector (modules/console/token-inspect.ts `times`): a time claim (iat, nbf, exp) is
// shown as a date only within the range a JavaScript date holds (±8.64e15 ms, ±8.64e12 s); beyond it the page says
// "out of range". Nothing held that bound: without it, a token with `exp: 1e300` (valid JSON, any client can paste it)
// made toISOString throw, a 500 instead of the inspector's page.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_PUBLIC_URL: 'https://vouch.test' };

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A token shaped like one of this server's, signed by no key it has: the verdict is `invalid`, the claims shown. */
const tokenWith = (claims: Record<string, unknown>): string =>
  `${b64({ alg: 'ES256', typ: 'JWT', kid: 'no-such-key' })}.${b64({ sub: 'x', ...claims })}.${Buffer.alloc(64).toString(
    'base64url',
  )}`;

eachEngine(
  'token inspector: a time claim beyond the range of a date is "out of range", never a 5xx',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: ENV });
    try {
      const cases: Array<[Record<string, unknown>, string]> = [
        // The last second a date holds, either side of the epoch: still a date.
        [{ exp: 8.64e12 }, '<dt>exp</dt><dd>+275760-09-13 00:00:00 UTC</dd>'],
        [{ iat: -8.64e12 }, '<dt>iat</dt><dd>-271821-04-20 00:00:00 UTC</dd>'],
        // One past it, and far past it: out of range.
        [{ exp: 8.64e12 + 1 }, '<dt>exp</dt><dd>out of range</dd>'],
        [{ nbf: -8.64e12 - 1 }, '<dt>nbf</dt><dd>out of range</dd>'],
        [{ exp: 1e300 }, '<dt>exp</dt><dd>out of range</dd>'],
        [{ iat: -1e300 }, '<dt>iat</dt><dd>out of range</dd>'],
      ];
      for (const [claims, shown] of cases) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/tokens/inspect',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token: tokenWith(claims) }).toString(),
        });
        const what = JSON.stringify(claims);
        assert.equal(res.statusCode, 200, `${what}: ${res.body.slice(0, 200)}`);
        assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/, what);
        assert.match(res.body, /id="token-verdict">invalid</, what);
        const times = /<dl id="token-times">([\s\S]*?)<\/dl>/.exec(res.body)?.[1] ?? '';
        assert.ok(times.includes(shown), `${what}: ${times}`);
      }
    } finally {
      await t.app.close();
    }
  },
);
