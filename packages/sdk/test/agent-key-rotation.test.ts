// An agent's key rotation from the SDK. The request is signed by the old key at X-Vouch-Signed-At, and the new key
// signs a statement naming that same signedAt: the client stamps the request with its clock when it signs it, so a
// statement signed with an earlier reading of a clock that moves (Date.now, the default) never matched, and
// agents.rotateKey was refused SIGNATURE_INVALID unless both readings fell in one millisecond. `signedAt` pins the
// request's time to the statement's; VouchAgent.rotateKey signs both with one reading.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeBase64,
  encodeUtf8,
  generateKeyPair,
  getDefaultCrypto,
  keyRotationStatement,
  VouchAgent,
  VouchApiError,
  VouchClient,
} from '../src/index.ts';
import { rotationStatement as serverStatement } from '../../server/src/modules/agents/auth.ts';
import { startLiveServer } from './aip-server.ts';
import type { LiveServer } from './aip-server.ts';

let live: LiveServer;
let client: VouchClient;

before(async () => {
  live = await startLiveServer();
  // The server's pinned time, plus a millisecond at every reading: a clock that moves, as Date.now does.
  let ticks = 0;
  client = new VouchClient({ baseUrl: live.url, now: () => live.clock.now() + ticks++, retry: { retries: 0 } });
});
after(() => live.close());

test('the rotation statement is the one the server checks', () => {
  const args = ['did:identity:abc', 'b2xk', 'bmV3', 1767225600000] as const;
  assert.equal(keyRotationStatement(...args), serverStatement(...args));
  assert.equal(keyRotationStatement(...args), 'vouch-rotate-key-v1:did:identity:abc:b2xk:bmV3:1767225600000');
});

test('agents.rotateKey with signedAt: the request is signed at the time the statement names', async () => {
  const { did, key } = await live.registerAgent();
  const next = await generateKeyPair('Ed25519');
  const signedAt = client.http.now();
  const statement = keyRotationStatement(did, key.publicKeyBase64!, next.publicKeyBase64!, signedAt);
  const newKeySignature = encodeBase64(await getDefaultCrypto().sign('EdDSA', next.privateKey, encodeUtf8(statement)));
  const asAgent = client.withCredentials({ agent: { did, privateKey: key.privateKey } });
  const rotated = await asAgent.agents.rotateKey(did, {
    newPublicKey: next.publicKeyBase64!,
    newKeySignature,
    signedAt,
  });
  assert.equal(rotated.publicKey, next.publicKeyBase64);
});

test('VouchAgent.rotateKey: the new key acts, the old one no longer does', async () => {
  const { did, key } = await live.registerAgent();
  const agent = new VouchAgent(client, { did, privateKey: key.privateKey });
  const next = await generateKeyPair('Ed25519');
  const rotated = await agent.rotateKey(next.privateKey);
  assert.equal(rotated.did, did);
  assert.equal(rotated.publicKey, next.publicKeyBase64);
  const old = await agent.client.agents.releaseSlug(did).catch((e: unknown) => e);
  assert.ok(old instanceof VouchApiError && old.code === 'UNAUTHORIZED', String(old));
  const renewed = new VouchAgent(client, { did, privateKey: next.privateKey });
  assert.deepEqual(await renewed.client.agents.releaseSlug(did), { did, slug: null, released: null });
  await assert.rejects(agent.rotateKey(key.privateKey.publicKey as never), { code: 'INVALID_ARGUMENT' });
});
