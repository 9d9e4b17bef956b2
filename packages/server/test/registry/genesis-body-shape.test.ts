// POST /v1/registry/genesis takes exactly one of `{document}` or `{issuers, threshold}` (docs/PROTOCOL.md). Every
// other shape is 400 VALIDATION_FAILED with nothing written: neither, both (the founders would be dropped unread
// beside an uploaded document), founders without a threshold, or a threshold alone.
import assert from 'node:assert/strict';
import { createGenesis } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { registryRuntime } from '../../src/modules/registry/service.ts';
import { admin, makeIssuers, post } from './fixtures.ts';

eachEngine('genesis: a body that is not exactly one of its two forms is 400, nothing written', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const rt = registryRuntime(app.ctx);
    assert.equal(rt.mode, 'authority');
    const root = await rt.authority.rootKey();
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const issuers = Object.values(is).map((i) => i.entry);
    const document = await createGenesis({ rootKey: root.privateKey, issuers, threshold: 2, now: app.clock.now() });
    const before = await tableCounts(storage);
    for (const [what, body] of [
      ['neither', {}],
      ['a threshold alone', { threshold: 2 }],
      ['founders without a threshold', { issuers }],
      ['a document and founders', { document, issuers, threshold: 2 }],
      ['a document and a threshold', { document, threshold: 2 }],
    ] as const) {
      app.clock.advance(61_000); // the route allows 10 a minute
      const res = await post(app.app, '/v1/registry/genesis', body, admin(app.adminKey));
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, 'VALIDATION_FAILED', what);
      assert.match(String(res.body.error), /exactly one of `document` or `issuers` with `threshold`/, what);
      assert.deepEqual(await tableCounts(storage), before, `${what}: nothing written`);
    }
  } finally {
    await app.app.close();
  }
});
