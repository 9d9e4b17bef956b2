// An agent credential whose did is not a string (absent, a number, an object: settings read from JSON) was signed
// and sent as `x-vouch-agent: undefined` (or "42", "[object Object]"): a request the server could only refuse, as an
// agent it does not know, after the round trip. It is now INVALID_ARGUMENT naming the agent credential, and nothing
// is sent, as for a did that cannot be a header value (client-agent-did-not-a-header-value).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { generateKeyPair, isVouchError, VouchClient } from '../src/index.ts';

test('an agent credential whose did is not a string: INVALID_ARGUMENT, unsent', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"did":"did:identity:x"}'));
  const { privateKey } = await generateKeyPair('Ed25519');
  for (const did of [undefined, 42, { id: 'did:identity:x' }, ['did:identity:x']]) {
    const agent = { did, privateKey } as unknown as { did: string; privateKey: typeof privateKey };
    const client = new VouchClient({ baseUrl: s.url, credentials: { agent } });
    await assert.rejects(client.agents.revoke('did:identity:x', undefined, { as: 'agent' }), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), `${JSON.stringify(did)}: ${String(err)}`);
      assert.match((err as Error).message, /agent credential/);
      return true;
    });
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');
});
