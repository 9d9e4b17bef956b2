// Mutation gap in the console's error pages (modules/console/index.ts `sectionOf`): an error page marks a section of
// the navigation current only under that section's path, segment by segment. Nothing held the segment: matched as a
// prefix, the 404 page of `/registryx` or `/tokensfoo` marked "Trust registry" or "Token inspector" as the page shown.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';

eachEngine("a 404 page marks a section current only under the section's own path", async ({ open }) => {
  const t = await makeApp(await open(), { env: { VOUCH_PUBLIC_URL: 'https://vouch.test' } });
  try {
    const current = async (url: string): Promise<string | undefined> => {
      const res = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 404, url);
      return /<a href="([^"]*)" aria-current="page">/.exec(res.body)?.[1];
    };
    assert.equal(await current('/registry/x'), '/registry');
    assert.equal(await current('/tokens/inspect/x'), '/tokens/inspect');
    assert.equal(await current('/registryx'), undefined);
    assert.equal(await current('/tokensfoo'), undefined);
  } finally {
    await t.app.close();
  }
});
