// A null where the client takes an optional object (the per-call options, a query; JavaScript callers, or settings
// read from JSON) threw a raw TypeError ("Cannot read properties of null"), and a query member set to null went out
// as the text "null" (`owners.me({after: null})` asked for the page after an agent named "null", a 400). Null now
// means absent, as for the parsers' options (options-null.test.ts). Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { VouchClient } from '../src/index.ts';

const none = null as unknown as undefined;

test('null call options and a null query give the defaults; a null query member is not sent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"status":"ok","agents":[],"next":null}'));
  const client = new VouchClient({ baseUrl: s.url, credentials: { ownerKey: 'k', adminKey: 'a' } });
  assert.deepEqual(await client.server.health(none), { status: 'ok', agents: [], next: null });
  await client.owners.me(none);
  await client.owners.me({ after: null as unknown as string, limit: 5 });
  await client.tokens.revocations(none, none);
  await client.server.audit({ before: null as unknown as number }, none);
  assert.deepEqual(s.seen, [
    '/healthz',
    '/api/v1/owners/me',
    '/api/v1/owners/me?limit=5',
    '/api/registry/revocations',
    '/api/v1/admin/audit',
  ]);
});
