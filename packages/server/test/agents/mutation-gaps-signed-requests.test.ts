// Gaps found by mutation testing: the ±5 minute window of an agent-signed request holds both ways. A request
// signed for a time in the future is as stale as one signed in the past: accepting it would let a signature made
// now (or leaked now) be held back and acted on later, outside the window the replay guard is sized for.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { SIGNED_REQUEST_WINDOW_MS } from '../../src/modules/agents/auth.ts';
import { TEST_ENV, codeOf, registerPow, signedInject } from './helpers.ts';

eachEngine(
  'a signed request dated beyond the window in the future or the past is 401 and changes nothing',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const a = await registerPow(app);
      const url = `/api/v1/agents/${a.id}/slug`;
      const before = await tableCounts(storage);

      for (const [what, signedAt] of [
        ['one ms beyond the window, ahead', clock.now() + SIGNED_REQUEST_WINDOW_MS + 1],
        ['an hour ahead', clock.now() + 3_600_000],
        ['one ms beyond the window, behind', clock.now() - SIGNED_REQUEST_WINDOW_MS - 1],
      ] as const) {
        const res = await signedInject(app, a.pair, a.did, 'PUT', url, { slug: 'future-name' }, signedAt);
        assert.equal(res.statusCode, 401, `${what}: ${res.body}`);
        assert.equal(codeOf(res), 'UNAUTHORIZED', what);
      }
      assert.deepEqual(await tableCounts(storage), before, 'no refused request wrote anything');
      const row = await storage.db.selectFrom('agents').select('slug').where('id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(row.slug, null);

      // The edges themselves are inside the window, both ways.
      const ahead = await signedInject(
        app,
        a.pair,
        a.did,
        'PUT',
        url,
        { slug: 'edge-ahead' },
        clock.now() + SIGNED_REQUEST_WINDOW_MS,
      );
      assert.equal(ahead.statusCode, 200, ahead.body);
      const behind = await signedInject(
        app,
        a.pair,
        a.did,
        'PUT',
        url,
        { slug: 'edge-behind' },
        clock.now() - SIGNED_REQUEST_WINDOW_MS,
      );
      assert.equal(behind.statusCode, 200, behind.body);
    } finally {
      await app.close();
    }
  },
);
