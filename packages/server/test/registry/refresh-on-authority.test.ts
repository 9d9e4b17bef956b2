// POST /v1/registry/refresh is the consumer's: an authority follows nothing, and answers it 409 CONFLICT
// (docs/PROTOCOL.md), before and after genesis, with nothing written. No test sent it to an authority.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin, foundersAndEcho, post } from './fixtures.ts';

eachEngine('an authority answers POST /v1/registry/refresh 409 CONFLICT, nothing written', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const refresh = async () => {
      const before = await tableCounts(storage);
      const res = await post(app.app, '/v1/registry/refresh', {}, admin(app.adminKey));
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.code, 'CONFLICT');
      assert.match(String(res.body.error), /registry authority/);
      assert.deepEqual(await tableCounts(storage), before);
    };
    await refresh();
    await foundersAndEcho(app);
    await refresh();
  } finally {
    await app.app.close();
  }
});
