// POST /v1/tokens: an agentId longer than a token's `sub` may be is a 400 VALIDATION_FAILED naming body.agentId.
// The route schema counts code points (JSON Schema maxLength), the token's claims UTF-16 code units: 129 emoji passed
// the schema and were refused only when the claims were signed, as 400 INVALID_ARGUMENT with no field.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin } from '../registry/fixtures.ts';
import { issue } from './helpers.ts';

const REQ = { resource: 'payments:invoices', action: 'read' };

eachEngine('an agentId over 256 UTF-16 code units is refused as body.agentId, writing nothing', async ({ open }) => {
  const storage = await open();
  const app = await makeApp(storage, { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    // The capability key is made on first use: make it first, so that the refusal below is compared on its own.
    const ok = await issue(app.app, { ...REQ, agentId: 'a'.repeat(256) }, admin(app.adminKey));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const longest = await issue(app.app, { ...REQ, agentId: '\u{1F600}'.repeat(128) }, admin(app.adminKey));
    assert.equal(longest.status, 201, JSON.stringify(longest.body));

    const before = await tableCounts(storage);
    const res = await issue(app.app, { ...REQ, agentId: '\u{1F600}'.repeat(129) }, admin(app.adminKey));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.code, 'VALIDATION_FAILED');
    assert.equal(res.body.field, 'body.agentId');
    assert.equal(typeof res.body.error, 'string');
    assert.deepEqual(await tableCounts(storage), before);
  } finally {
    await app.app.close();
  }
});
