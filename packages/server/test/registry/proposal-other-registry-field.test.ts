// A proposal for another registry is a validation failure of one value, its `registry`: the answer names it as
// `field` (docs/PROTOCOL.md, "Errors": a VALIDATION_FAILED of one value adds the path of the offending value, which
// the sentence starts with), and nothing is stored. It was a bare "The proposal is for another registry.".
import assert from 'node:assert/strict';
import { generateKeyPair, registryIdOf } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { addEcho, foundersAndEcho, post } from './fixtures.ts';

eachEngine(
  'a proposal for another registry: 400 VALIDATION_FAILED naming body.registry, nothing stored',
  async ({ open }) => {
    const storage = await open();
    const app = await makeApp(storage);
    try {
      const { is } = await foundersAndEcho(app);
      const other = registryIdOf((await generateKeyPair('Ed25519')).publicKey);
      const before = await tableCounts(storage);
      const res = await post(app.app, '/v1/registry/proposals', await addEcho(other, is, [is.alpha!], app.clock.now()));
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.field, 'body.registry');
      assert.match(String(res.body.error), /^body\.registry: .*another registry/);
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await app.app.close();
    }
  },
);
