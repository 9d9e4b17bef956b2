// An agent credential whose DID cannot be an HTTP header value (x-vouch-agent: a line break, a NUL or a character
// above U+00FF inside it) failed as NETWORK_ERROR, status 0, "got no answer", and an idempotent call was retried with
// backoff: fetch refused the header with a TypeError before anything was sent. It is now INVALID_ARGUMENT naming the
// agent credential, and nothing is sent, as for the bearer credentials (client-credential-not-a-header-value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { generateKeyPair, isVouchError, VouchClient } from '../src/index.ts';

test('an agent DID with a line break or a non-Latin-1 character: INVALID_ARGUMENT, unsent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"did":"did:identity:x"}'));
  const { privateKey } = await generateKeyPair('Ed25519');
  for (const did of ['did:identity:x\r\nx-api-key: k', 'did:identity:x\u2028', 'did:identity:\u0000x']) {
    const sleeps: number[] = [];
    const client = new VouchClient({
      baseUrl: s.url,
      credentials: { agent: { did, privateKey } },
      sleep: async (ms) => void sleeps.push(ms),
    });
    await assert.rejects(client.identity.domainChallenge('bot', 'example.com', { as: 'agent' }), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${JSON.stringify(did)}: ${String(err)}`);
      assert.match((err as Error).message, /agent credential/);
      return true;
    });
    assert.deepEqual(sleeps, [], 'not retried');
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');
  // A DID that is a header value goes out as before.
  const client = new VouchClient({ baseUrl: s.url, credentials: { agent: { did: 'did:identity:x', privateKey } } });
  assert.deepEqual(await client.agents.revoke('did:identity:x'), { did: 'did:identity:x' });
});
