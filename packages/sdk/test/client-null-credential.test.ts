// A credential set to null (settings read from JSON, `{"managementToken": null}`) counted as configured: the client
// sent it as the text "null" (`x-api-key: null`, `Authorization: Bearer null`), and preferred it to a real credential
// the route accepts (a revoke went out with "Bearer null" rather than the owner key beside it, and was refused 401).
// A null credential is now absent, as an undefined one is. Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { Credentials } from '../src/index.ts';

test('a null credential is not configured: never sent, never preferred', async (t) => {
  const auth: Array<string | undefined> = [];
  const s = await serveAnswers(t, (req, res) => {
    auth.push(
      req.headers['x-api-key'] === undefined ? req.headers.authorization : `x-api-key ${req.headers['x-api-key']}`,
    );
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"did":"did:x","status":"revoked","revokedAt":1}');
  });
  const nulls = {
    adminKey: null,
    managementToken: null,
    integratorKey: null,
    agent: null,
    ownerKey: 'vouch_owner_k',
  } as unknown as Credentials;
  const client = new VouchClient({ baseUrl: s.url, credentials: nulls });
  await client.agents.revoke('did:x');
  await client.tokens.discovery();
  assert.deepEqual(auth, ['Bearer vouch_owner_k', undefined]);
  for (const as of ['admin', 'management', 'integrator', 'agent'] as const) {
    await assert.rejects(client.server.health({ as }), (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'));
  }
  // withCredentials with null drops a credential it had.
  const without = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'a' } }).withCredentials(nulls);
  await assert.rejects(without.server.health({ as: 'admin' }), (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT'));
  assert.equal(s.seen.length, 2);
});
