// A call cancelled while the client signs it (agent-signed requests sign each attempt, asynchronously) is not sent.
// Before, the abort listener was added only after signing, to a signal that had already fired, so it never ran: the
// request went out regardless and `agents.revoke` revoked the agent for good after the caller had cancelled.
// Against a loopback server that records every request it gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, getDefaultCrypto, VouchClient } from '../src/index.ts';
import type { CryptoProvider } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';

test('a signed call aborted while its request is being signed rejects with the reason and sends nothing', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"did":"did:key:z6Mk","status":"revoked"}'));
  const { privateKey } = await generateKeyPair('Ed25519');
  const controller = new AbortController();
  const reason = new Error('cancelled by the caller');
  const node = getDefaultCrypto();
  // The caller cancels while the signature is being made (a WebCrypto or threadpool operation in real use).
  const crypto: CryptoProvider = {
    ...node,
    name: node.name,
    sign: async (alg, key, data) => {
      controller.abort(reason);
      return node.sign(alg, key, data);
    },
  };
  const client = new VouchClient({
    baseUrl: s.url,
    crypto,
    retry: { retries: 0 },
    credentials: { agent: { did: 'did:key:z6Mk', privateKey } },
  });
  await assert.rejects(client.agents.revoke('did:key:z6Mk', 'gone', { signal: controller.signal }), (err) => {
    assert.equal(err, reason);
    return true;
  });
  assert.deepEqual(s.requests, [], 'no request left the client');
});
