// A co-signature body that is malformed is 400 REGISTRY_INVALID naming the field (contract-routes.test.ts), whatever
// its signedAt. The signature window was checked first, so a signedAt that is no time at all ("soon"), or a malformed
// signature sent with a signedAt outside the window, was answered REGISTRY_SIGNATURE_REFUSED ("signedAt must be
// within ... seconds") with no field: a signature that does not count, for a body that is not a signature.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { addEcho, cosignature, foundersAndEcho, post } from './fixtures.ts';

eachEngine('a malformed co-signature is REGISTRY_INVALID with its field, also outside the window', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage);
  try {
    const { is, registry } = await foundersAndEcho(app);
    const now = app.clock.now();
    const add = await addEcho(registry, is, [is.alpha!], now);
    const id = (await post(app.app, '/v1/registry/proposals', add)).body.id as string;
    const url = `/v1/registry/proposals/${id}/signatures`;
    const before = await tableCounts(storage);
    const sig = cosignature(add, is.bravo!, now);

    const cases: Array<[string, unknown, string]> = [
      ['signedAt no time', { ...sig, signedAt: 'soon' }, 'body.signedAt'],
      ['signedAt not ISO-8601 UTC', { ...sig, signedAt: new Date(now).toUTCString() }, 'body.signedAt'],
      [
        'malformed signature, signedAt an hour ago',
        { ...sig, signature: 'ed25519:not-a-signature', signedAt: new Date(now - 3_600_000).toISOString() },
        'body.signature',
      ],
    ];
    for (const [what, body, field] of cases) {
      const r = await post(app.app, url, body);
      assert.equal(r.status, 400, what);
      assert.equal(r.body.code, 'REGISTRY_INVALID', `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, field, what);
    }
    // A well-formed signature outside the window is still refused for its signedAt.
    const stale = await post(app.app, url, cosignature(add, is.bravo!, now - 3_600_000));
    assert.equal(stale.body.code, 'REGISTRY_SIGNATURE_REFUSED');
    assert.match(String(stale.body.error), /signedAt/);
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
  } finally {
    await app.app.close();
  }
});
