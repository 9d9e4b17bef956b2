// A process left running through `vouch kek rewrap` and asked to sign with a key it has not cached (the tool-manifest
// key is read for each signature) answers 503 KEK_MISMATCH, says to restart and logs it, as a rotation there does.
// Before, the key that no longer opened under its KEK surfaced as SEALED_INVALID: a 500 that named nothing to do.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { checkKek, listServerKeys, rewrapKek } from '../../src/storage/index.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('a tool manifest signed by a process on a re-wrapped KEK is refused 503 KEK_MISMATCH', async ({ open }) => {
  const storage = await open();
  const { app, clock, kek, logs } = await makeApp(storage, { env: { ...TEST_ENV, VOUCH_LOG_LEVEL: 'info' } });
  try {
    await checkKek(storage, kek, clock.now()); // as `vouch serve` does at start
    const agent = await registerSlug(app, 'tools-agent');
    const set = (tools: string[]) =>
      app.inject({
        method: 'POST',
        url: '/v1/identity/tools-agent/tools',
        headers: bearer(agent.managementToken),
        payload: { tools },
      });
    assert.equal((await set(['read_file'])).statusCode, 200);
    const newKek = randomBytes(32);
    await rewrapKek(await open(), kek, newKek, clock.now()); // another connection, this app still on the old KEK
    const before = await app.inject({ method: 'GET', url: '/v1/identity/tools-agent/tools' });

    clock.advance(1000);
    const res = await set(['read_file', 'write_file']);
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().code, 'KEK_MISMATCH');
    assert.match(res.json().error, /restart/);
    assert.match(logs.text(), /key-encryption key replaced/);
    const after = await app.inject({ method: 'GET', url: '/v1/identity/tools-agent/tools' });
    assert.deepEqual(after.json(), before.json(), 'the manifest is unchanged');
    assert.ok((await listServerKeys(storage, newKek)).length > 0, 'every key still opens under the new KEK');
  } finally {
    await app.close();
  }
});
