import assert from 'node:assert/strict';
import { encodeUtf8, getDefaultCrypto, decodeBase64 } from '@vouch/sdk';
import { ApiError } from '../../src/errors.ts';
import {
  agentPublicUrl,
  assertAgentActive,
  findAgent,
  getAgentOwner,
  getAgentPublicKey,
  resolveAgent,
  verifyAgentSignature,
} from '../../src/modules/agents/service.ts';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import type { Principal } from '../../src/http/policy.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import {
  admin,
  bearer,
  claimAgent,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  signText,
  TEST_ENV,
} from './helpers.ts';

const hasCode = (code: string, status?: number) => (e: unknown) =>
  e instanceof ApiError && e.code === code && (status === undefined || e.statusCode === status);

eachEngine('service API: resolve by DID, id or slug; keys; signatures; owner', async ({ open }) => {
  const storage = await open();
  const { app, ctx } = await makeApp(storage, { env: TEST_ENV });
  try {
    const owner = await createOwner(app, 'acme', 'Acme');
    const { linkingKey } = (
      await app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers: bearer(owner.apiKey) })
    ).json() as { linkingKey: string };
    const a = await registerPow(app, { label: 'bot', linkingKey });
    const s = await registerSlug(app, 'keyless');

    for (const ref of [a.did, a.id]) {
      const agent = await resolveAgent(ctx, ref);
      assert.equal(agent.did, a.did);
      assert.equal(agent.name, 'bot');
      assert.equal(agent.status, 'claimed');
      assert.equal(agent.publicKey, a.pair.publicKeyBase64);
    }
    assert.equal((await resolveAgent(ctx, 'keyless')).id, s.id);
    for (const ref of [
      'did:identity:' + 'a'.repeat(26),
      'a'.repeat(25) + 'q',
      'no-such-slug',
      'ab'.repeat(32),
      '',
      'did:web:x',
    ]) {
      await assert.rejects(resolveAgent(ctx, ref), hasCode('NOT_FOUND', 404), ref);
      assert.equal(await findAgent(ctx, ref), undefined);
    }

    const agent = await resolveAgent(ctx, a.did);
    assertAgentActive(agent);
    const key = getAgentPublicKey(agent);
    const sig = await signText(a.pair, 'hello');
    assert.ok(await getDefaultCrypto().verify('EdDSA', key, decodeBase64(sig), encodeUtf8('hello')));
    assert.equal(await verifyAgentSignature(agent, 'hello', sig), true);
    assert.equal(await verifyAgentSignature(agent, 'hellO', sig), false);
    assert.equal(await verifyAgentSignature(agent, 'hello', 'not base64!'), false);
    assert.equal(await verifyAgentSignature(agent, 'hello', 'AAAA'), false);
    const keyless = await resolveAgent(ctx, 'keyless');
    assert.throws(() => getAgentPublicKey(keyless), hasCode('AGENT_HAS_NO_KEY', 409));
    assert.deepEqual(await getAgentOwner(ctx, agent), { id: owner.ownerId, name: 'Acme', handle: 'acme' });
    assert.equal(await getAgentOwner(ctx, keyless), null);
    assert.equal(agentPublicUrl(ctx, keyless), 'https://vouch.test/verify/keyless');
    assert.equal(agentPublicUrl(ctx, agent), `https://vouch.test/verify/${a.id}`);
  } finally {
    await app.close();
  }
});

eachEngine('the domain port: resolve, who may manage, proofs only for live agents', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const port = createAgentDomainPort(ctx);
    const owner = await createOwner(app, 'acme');
    const s = await registerSlug(app, 'site-agent', { public_key_pem: (await newPair()).publicPem });
    await claimAgent(app, owner, s.body.claim_token);
    const other = await registerSlug(app, 'other-agent');
    const ref = await port.resolve('site-agent');
    assert.deepEqual(ref, { id: s.id, did: s.did, slug: 'site-agent', status: 'claimed' });
    assert.deepEqual(await port.resolve(s.did), ref);
    await assert.rejects(port.resolve('nobody-here'), hasCode('NOT_FOUND'));

    const allowed: Principal[] = [
      { caller: 'admin', id: 'admin' },
      { caller: 'management-token', id: s.did },
      { caller: 'agent-signature', id: s.did },
      { caller: 'owner', id: owner.ownerId },
    ];
    for (const p of allowed) await port.assertCanManage(p, ref);
    const refused: Array<Principal | null> = [
      null,
      { caller: 'management-token', id: other.did },
      { caller: 'agent-signature', id: other.did },
      { caller: 'owner', id: 'someone-else' },
      { caller: 'integrator', id: s.did },
    ];
    for (const p of refused) await assert.rejects(port.assertCanManage(p, ref), hasCode('FORBIDDEN', 403));

    await port.recordDomainProof(s.id, 'site.example.com', 'file', clock.now());
    await port.recordDomainProof(s.id, 'site.example.com', 'dns_txt', clock.now() + 1000);
    const proofs = await storage.db.selectFrom('agent_proofs').selectAll().execute();
    assert.deepEqual(
      proofs.map((p) => [p.type, p.value, p.method, p.verified_at]),
      [['domain', 'site.example.com', 'file', clock.now()]],
    );
    await assert.rejects(
      port.recordDomainProof('a'.repeat(25) + 'a', 'x.example.com', 'file', 1),
      hasCode('NOT_FOUND'),
    );

    await app.inject({ method: 'POST', url: '/api/v1/agents/site-agent/revoke', headers: admin });
    const revoked = await port.resolve('site-agent');
    assert.equal(revoked.status, 'revoked');
    await assert.rejects(
      port.assertCanManage({ caller: 'admin', id: 'admin' }, revoked),
      hasCode('AGENT_REVOKED', 403),
    );
    await assert.rejects(port.recordDomainProof(s.id, 'new.example.com', 'file', 1), hasCode('AGENT_REVOKED'));
  } finally {
    await app.close();
  }
});
