// A credential that cannot be an HTTP header value (a line break inside it, as in a key file with two lines, or a
// character above U+00FF) is refused with INVALID_ARGUMENT, naming the credential but not showing it, and nothing is
// sent. Before, fetch refused the header with a TypeError whose message quotes the value ('Headers.append: "<the
// key>" is an invalid header value'); the client wrapped it as NETWORK_ERROR with that TypeError as `cause`, so
// printing or logging the error showed the secret, and idempotent calls were retried as if the network had failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { respond, serveAnswers } from './answering-server.ts';
import { generateKeyPair, isVouchError, VouchClient } from '../src/index.ts';

test('a credential with a line break or a non-Latin-1 character is INVALID_ARGUMENT, unprinted and unsent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"keys":[]}'));
  const cases = [
    { credentials: { adminKey: 'vouch_admin_SECRET-ONE\nsecond-line' }, call: (c: VouchClient) => c.server.keys() },
    { credentials: { adminKey: 'vouch_admin_SECRET-TWO\rx' }, call: (c: VouchClient) => c.server.keys() },
    { credentials: { ownerKey: 'vouch_owner_SECRET-THREE\u2019' }, call: (c: VouchClient) => c.owners.me() },
    {
      credentials: { integratorKey: 'SECRET-FOUR\u0000' },
      call: (c: VouchClient) => c.agents.resolve('did:identity:x'),
    },
  ];
  for (const { credentials, call } of cases) {
    const sleeps: number[] = [];
    const client = new VouchClient({ baseUrl: s.url, credentials, sleep: async (ms) => void sleeps.push(ms) });
    const secret = Object.values(credentials)[0]!;
    await assert.rejects(call(client), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${JSON.stringify(secret)}: ${String(err)}`);
      const printed = inspect(err, { depth: Infinity, showHidden: true });
      assert.ok(!printed.includes('SECRET'), `the error shows the credential: ${printed}`);
      return true;
    });
    assert.deepEqual(sleeps, [], 'not retried');
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');

  // Leading and trailing whitespace (a key file's final newline) is no problem: fetch trims it, as before.
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'vouch_admin_key\n' } });
  assert.deepEqual(await client.server.keys(), { keys: [] });
});

// Node's fetch (undici) also refuses every other control character but tab (RFC 9110 field-value: VCHAR, SP, HTAB,
// obs-text), which failed as NETWORK_ERROR, 'got no answer', and was retried although nothing was ever sent.
test('a credential or agent did with a control character other than tab is INVALID_ARGUMENT and unsent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"keys":[]}'));
  for (const ch of ['\u0001', '\u0008', '\u000b', '\u001f', '\u007f']) {
    const sleeps: number[] = [];
    const client = new VouchClient({
      baseUrl: s.url,
      credentials: { adminKey: `vouch_admin_SECRET${ch}x` },
      sleep: async (ms) => void sleeps.push(ms),
    });
    await assert.rejects(client.server.keys(), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${JSON.stringify(ch)}: ${String(err)}`);
      assert.ok(!inspect(err, { depth: Infinity, showHidden: true }).includes('SECRET'), 'the error shows the key');
      return true;
    });
    assert.deepEqual(sleeps, [], 'not retried');
  }
  const { privateKey } = await generateKeyPair('Ed25519');
  const agentClient = new VouchClient({
    baseUrl: s.url,
    credentials: { agent: { did: 'did:identity:\u007fx', privateKey } },
  });
  await assert.rejects(agentClient.server.keys({ as: 'agent' }), (err: unknown) => {
    assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
    assert.match((err as Error).message, /agent credential/);
    return true;
  });
  assert.deepEqual(s.seen, [], 'nothing was sent');

  // A tab inside is a valid field value: it is sent.
  const client = new VouchClient({ baseUrl: s.url, credentials: { adminKey: 'vouch_admin\tkey' } });
  assert.deepEqual(await client.server.keys(), { keys: [] });
});
