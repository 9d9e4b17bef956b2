// A co-signature's signedAt may be up to VOUCH_SIGNATURE_WINDOW seconds (300 by default) before or after the server's
// time, both bounds included. authority.test.ts refuses signedAt an hour off either way, and every other co-signature
// in the tests is signed at the server's instant: the window's bounds (`>` made `>=`), or its unit (the seconds not
// multiplied into milliseconds, a window of 300 ms), could change with every registry test passing (mutation testing).
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { addEcho, admin, cosignature, get, makeIssuers, post } from './fixtures.ts';

eachEngine(
  'a co-signature is taken up to the window either side of the server time, not a ms more',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const is = await makeIssuers(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
      const founders = [is.alpha!, is.bravo!, is.charlie!, is.delta!];
      const g = await post(
        app.app,
        '/v1/registry/genesis',
        { issuers: founders.map((f) => f.entry), threshold: 3 },
        admin(app.adminKey),
      );
      assert.equal(g.status, 201, JSON.stringify(g.body));
      const now = app.clock.now();
      const windowMs = 300_000;
      const add = await addEcho(g.body.registry as string, is, [is.alpha!], now);
      const id = (await post(app.app, '/v1/registry/proposals', add)).body.id as string;
      const url = `/v1/registry/proposals/${id}/signatures`;

      for (const [what, at] of [
        ['one ms before the window', now - windowMs - 1],
        ['one ms after the window', now + windowMs + 1],
      ] as const) {
        const r = await post(app.app, url, cosignature(add, is.bravo!, at));
        assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.code, 'REGISTRY_SIGNATURE_REFUSED', what);
        assert.match(String(r.body.error), /signedAt/, what);
      }

      const early = await post(app.app, url, cosignature(add, is.bravo!, now - windowMs));
      assert.equal(early.status, 200, `at the window's start: ${JSON.stringify(early.body)}`);
      assert.equal(early.body.status, 'pending');
      const late = await post(app.app, url, cosignature(add, is.charlie!, now + windowMs));
      assert.equal(late.status, 200, `at the window's end: ${JSON.stringify(late.body)}`);
      assert.equal(late.body.status, 'applied');
      assert.equal((await get(app.app, '/v1/registry/issuers/echo')).body.status, 'active');
    } finally {
      await app.app.close();
    }
  },
);
