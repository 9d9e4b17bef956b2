// What an agent-signed request signs, checked from the wire against an independent reading of docs/PROTOCOL.md
// ("Agent-signed requests"): `vouch-request-v1\n<METHOD>\n<path and query as sent>\n<signedAt>\n<content sha256>`,
// verified with node:crypto over what a loopback server received. The client and the server build that string with
// the same function, so a round trip against a live server cannot notice it dropping a part (found by mutation
// testing: signing an empty path instead of the request's failed no SDK test), and the body must be hashed as sent
// (its undefined members dropped), not as the caller's object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { formatPublicKey, generateKeyPair, VouchClient } from '../src/index.ts';
import { respond, serveAnswers } from './answering-server.ts';
import type { Received } from './answering-server.ts';

const DID = 'did:identity:abcdefghijklmnopqrstuvwxya';
const SIGNED_AT = 1767225600123;

/** A loopback server answering `{}` to everything, recording each request with its body as received. */
async function recorder(t: { after: (fn: () => Promise<void>) => void }) {
  const { url, received } = await serveAnswers(t, respond('application/json', '{}'));
  return { url, seen: received };
}

async function agentClient(baseUrl: string) {
  const { publicKey, privateKey } = await generateKeyPair('Ed25519');
  const client = new VouchClient({ baseUrl, credentials: { agent: { did: DID, privateKey } }, now: () => SIGNED_AT });
  const verifier = createPublicKey({ key: { ...formatPublicKey(publicKey, 'jwk') }, format: 'jwk' });
  return { client, verifier };
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Checks the four headers of `r` and that the signature is over exactly `expected` (and not its variants). */
function assertSigned(r: Received, verifier: ReturnType<typeof createPublicKey>, canonicalBody: string) {
  assert.equal(r.headers['x-vouch-agent'], DID);
  assert.equal(r.headers['x-vouch-signed-at'], String(SIGNED_AT));
  const hash = sha256Hex(canonicalBody);
  assert.equal(r.headers['x-vouch-content-sha256'], hash);
  const signature = Buffer.from(String(r.headers['x-vouch-signature']), 'base64');
  const signs = (text: string) => verify(null, Buffer.from(text, 'utf8'), verifier, signature);
  assert.ok(signs(`vouch-request-v1\n${r.method}\n${r.url}\n${SIGNED_AT}\n${hash}`), 'signed over the request sent');
  // Each part is bound: the same signature is no good for another method, path, time or body.
  assert.ok(!signs(`vouch-request-v1\nGET\n${r.url}\n${SIGNED_AT}\n${hash}`));
  assert.ok(!signs(`vouch-request-v1\n${r.method}\n/\n${SIGNED_AT}\n${hash}`));
  assert.ok(!signs(`vouch-request-v1\n${r.method}\n${r.url}\n${SIGNED_AT + 1}\n${hash}`));
  assert.ok(!signs(`vouch-request-v1\n${r.method}\n${r.url}\n${SIGNED_AT}\n${sha256Hex(`${canonicalBody} `)}`));
}

test('a signed POST binds the method, the base path and percent-encoded path, the time and the body', async (t) => {
  const s = await recorder(t);
  const { client, verifier } = await agentClient(`${s.url}/vouch`);
  await client.agents.revoke(DID, 'gone');
  const [r] = s.seen;
  assert.equal(r!.method, 'POST');
  assert.equal(r!.url, `/vouch/api/v1/agents/${encodeURIComponent(DID)}/revoke`);
  assert.equal(r!.body, '{"reason":"gone"}');
  assertSigned(r!, verifier, '{"reason":"gone"}');
});

test('a signed DELETE without a body binds the hash of the empty string', async (t) => {
  const s = await recorder(t);
  const { client, verifier } = await agentClient(s.url);
  await client.agents.releaseSlug(DID);
  const [r] = s.seen;
  assert.equal(r!.method, 'DELETE');
  assert.equal(r!.body, '');
  assertSigned(r!, verifier, '');
});

test('the body is hashed as sent: members sorted, an undefined member absent as in the JSON text', async (t) => {
  const s = await recorder(t);
  const { client, verifier } = await agentClient(s.url);
  const input = { tools: ['b.search', 'a.read'], tool_descriptions: undefined } as unknown as { tools: string[] };
  await client.identity.setTools('my-agent', input, { as: 'agent' });
  const [r] = s.seen;
  assert.deepEqual(JSON.parse(r!.body), { tools: ['b.search', 'a.read'] });
  assertSigned(r!, verifier, '{"tools":["b.search","a.read"]}');
});
