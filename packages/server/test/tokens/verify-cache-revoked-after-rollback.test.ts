// A revocation that rolled back after taking its sequence number stops holding this process's verify cache back
// (local-revocations.ts), yet the next revocation, which takes that same number again and commits, is refused by the
// very next verification here: the clock standing still and the change feed silent, nothing but this process's own
// note of the number makes the cache read it.
import assert from 'node:assert/strict';
import { NO_CHANGES } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { pausingAfterInsert } from '../helpers/interleave.ts';
import { ADMIN, issue, post, registerAgent, rejected, tokenApp, verify } from './helpers.ts';

eachEngine('a revocation committed with the number a rolled-back one took is refused at once', async ({ open }) => {
  // The first revocation row fails once inserted: its transaction has taken its number, and rolls back.
  const failing = pausingAfterInsert(await open(), 'token_revocations', () => Promise.reject(new Error('injected')));
  const t = await tokenApp({ ...failing, changes: NO_CHANGES });
  try {
    const agent = await registerAgent(t);
    const { token, jti } = await issue(t, agent);
    assert.equal((await verify(t, { token })).status, 200);
    assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 500);
    assert.equal((await verify(t, { token })).status, 200, 'the rolled-back revocation revoked nothing');
    assert.equal((await post(t, '/api/registry/revoke', { jti }, ADMIN)).statusCode, 200);
    await rejected(t, { token }, 'TOKEN_REVOKED');
  } finally {
    await t.app.close();
  }
});
