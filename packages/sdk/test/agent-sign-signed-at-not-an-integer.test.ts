// VouchAgent.signPayloadHash signed whatever signedAt it was given: 1.5, NaN, -1, 1e21 or a string became the
// statement `<payloadHash>:1.5`, `:NaN`, `:1e+21`..., signed by the agent's key and sent, for the server to refuse
// (or, for a string of digits, to coerce). signKeyProof and signKeyRotation refuse such a signedAt before signing;
// signPayloadHash now does too: INVALID_ARGUMENT, nothing signed or sent. Null is still "now".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { generateKeyPair, isVouchError, VouchAgent, VouchClient } from '../src/index.ts';

test('signPayloadHash refuses a signedAt that is not milliseconds since the epoch, before signing', async (t) => {
  const s = await serveAnswers(t, respond('application/json', JSON.stringify({ signatureHash: 'b'.repeat(64) }), 201));
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 }, now: () => 1_700_000_000_000 });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:vouch:test', privateKey });
  const hash = 'a'.repeat(64);
  for (const signedAt of [1.5, NaN, -1, 1e21, Infinity, Number.MAX_SAFE_INTEGER + 1, '1700000000000', true]) {
    await assert.rejects(
      agent.signPayloadHash(hash, { signedAt: signedAt as number }),
      (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT') && /signedAt/.test(err.message),
      String(signedAt),
    );
  }
  assert.equal(s.seen.length, 0, 'nothing sent');
  for (const signedAt of [0, 1_700_000_000_123, null]) {
    const signed = await agent.signPayloadHash(hash, { signedAt: signedAt as number });
    assert.equal(signed.signedAt, signedAt ?? 1_700_000_000_000);
  }
  assert.equal(s.seen.length, 3);
});
