// VouchAgent.signPayloadHash (and so signContent and the consents) reads `signatureHash` from the server's answer:
// an answer that carries none (JSON null, an HTML page, a wrong shape) is RESPONSE_INVALID, not a TypeError from
// destructuring null or a result whose signatureHash is undefined. Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, responseInvalid, serveAnswers } from './answering-server.ts';
import { generateKeyPair, VouchAgent, VouchClient } from '../src/index.ts';

test('signPayloadHash refuses a 2xx answer without a signatureHash', async (t) => {
  const answer = { current: respond('application/json', 'null', 201) };
  const s = await serveAnswers(t, (req, res) => answer.current(req, res));
  const client = new VouchClient({ baseUrl: s.url, retry: { retries: 0 } });
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = new VouchAgent(client, { did: 'did:vouch:test', privateKey });
  const hash = 'a'.repeat(64);
  for (const current of [
    respond('application/json', 'null', 201),
    respond('text/html', '<html>welcome</html>', 200),
    respond('application/json', '{"signatureHash": 42}', 201),
    respond('application/json', '{"signatureHash": "not-a-hash"}', 201),
    respond('application/json', '{}', 201),
  ]) {
    answer.current = current;
    await assert.rejects(agent.signPayloadHash(hash), responseInvalid);
  }
  answer.current = respond('application/json', JSON.stringify({ signatureHash: 'b'.repeat(64) }), 201);
  assert.equal((await agent.signPayloadHash(hash)).signatureHash, 'b'.repeat(64));
});
