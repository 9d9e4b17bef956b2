// The token inspector's POST verifies a token as POST /api/registry/verify does, and has its rate limit
// (docs/PROTOCOL.md: "Rate limit VOUCH_TOKEN_VERIFY_RATE_MAX"), not the pages' VOUCH_RATE_LIMIT_MAX; its form (GET)
// stays on the pages' limit. Nothing held either: the POST on the default limit left every console test passing.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

eachEngine("POST /tokens/inspect is limited by VOUCH_TOKEN_VERIFY_RATE_MAX, not the pages' limit", async ({ open }) => {
  const storage = await open();
  const env = { VOUCH_PUBLIC_URL: 'https://vouch.test', VOUCH_RATE_LIMIT_WINDOW_MS: '60000' };
  const strict = await makeApp(storage, { env: { ...env, VOUCH_TOKEN_VERIFY_RATE_MAX: '2' } });
  const loose = await makeApp(storage, {
    env: { ...env, VOUCH_RATE_LIMIT_MAX: '2', VOUCH_TOKEN_VERIFY_RATE_MAX: '100' },
    kek: strict.kek,
  });
  try {
    const post = (t: typeof strict) =>
      t.app.inject({
        method: 'POST',
        url: '/tokens/inspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'token=not-a-token',
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(strict)).statusCode);
    assert.deepEqual(statuses, [400, 400, 429], 'the third inspection in the window is refused');
    const form = await strict.app.inject({ method: 'GET', url: '/tokens/inspect', headers: { accept: 'text/html' } });
    assert.equal(form.statusCode, 200, 'the form itself is on the pages’ limit');

    const looser = [];
    for (let i = 0; i < 3; i++) looser.push((await post(loose)).statusCode);
    assert.deepEqual(looser, [400, 400, 400], 'the pages’ limit of 2 does not apply to inspections');
  } finally {
    await strict.app.close();
    await loose.app.close();
  }
});
