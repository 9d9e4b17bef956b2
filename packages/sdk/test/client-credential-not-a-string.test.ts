// A credential that is not a string (a number, an object, an array: settings read from JSON or a config object passed
// whole) was sent as its String() text — `x-api-key: [object Object]`, `Bearer 42` — for the server to refuse 401
// UNAUTHORIZED, with nothing naming the setting. It is now INVALID_ARGUMENT naming the credential's kind, never its
// value, and nothing is sent, as an agent's did that is not a string is (client-agent-did-not-a-string). Against a
// loopback server that records every request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { Credentials } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';

test('a credential that is not a string is INVALID_ARGUMENT naming its kind, and nothing is sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{}'));
  const cases: Array<[string, Credentials, (c: VouchClient) => Promise<unknown>]> = [
    ['admin', { adminKey: { file: '/etc/vouch/admin.key' } as never }, (c) => c.server.keys()],
    ['owner', { ownerKey: 42 as never }, (c) => c.owners.me()],
    ['integrator', { integratorKey: ['k'] as never }, (c) => c.agents.resolve('did:x')],
    ['management', { managementToken: true as never }, (c) => c.agents.revoke('did:x')],
  ];
  for (const [kind, credentials, call] of cases) {
    const client = new VouchClient({ baseUrl: s.url, credentials, retry: { retries: 0 } });
    await assert.rejects(call(client), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${kind}: ${String(err)}`);
      assert.match(err.message, new RegExp(`\\b${kind}\\b`));
      assert.doesNotMatch(err.message, /etc|42|object/);
      return true;
    });
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');
});
