// An agent-signed request stamped with a time that is not whole milliseconds since the epoch — a clock (`now`) read
// from performance.now() arithmetic (1700000000000.5), or a rotateKey signedAt of 1.5, NaN or 1e21 — was signed and
// sent with `x-vouch-signed-at: 1700000000000.5` (or `NaN`, `1e+21`), which the server can only refuse as a request
// that is not signed (401), naming no input. It is now INVALID_ARGUMENT and nothing is signed or sent, as
// VouchAgent.signPayloadHash refuses such a signedAt (agent-sign-signed-at-not-an-integer). Against a loopback server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { generateKeyPair, isVouchError, VouchClient } from '../src/index.ts';

const refused = (err: unknown) => isVouchError(err, 'INVALID_ARGUMENT') && /signed-at|signedAt/i.test(err.message);

test('an agent-signed request refuses a signed-at time that is not whole milliseconds, before signing', async (t) => {
  const s = await serveAnswers(t, respond('application/json', '{"did":"did:x","slug":"bot","public_url":"u"}'));
  const { privateKey } = await generateKeyPair('Ed25519');
  const agent = { did: 'did:x', privateKey };
  const client = (now: number) =>
    new VouchClient({ baseUrl: s.url, credentials: { agent }, retry: { retries: 0 }, now: () => now });

  for (const now of [1_700_000_000_000.5, NaN, -1, 1e21]) {
    await assert.rejects(client(now).agents.setSlug('did:x', 'bot'), refused, `clock ${now}`);
  }
  const good = client(1_700_000_000_000);
  for (const signedAt of [1.5, NaN, 1e21, Infinity]) {
    const input = { newPublicKey: 'k', newKeySignature: 's', signedAt };
    await assert.rejects(good.agents.rotateKey('did:x', input), refused, `signedAt ${signedAt}`);
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');

  await good.agents.setSlug('did:x', 'bot');
  assert.equal(s.received[0]!.headers['x-vouch-signed-at'], '1700000000000');
});
