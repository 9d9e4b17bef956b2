import assert from 'node:assert/strict';
import { canonicalize, sha256HexSync } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { findSignature } from '../../src/modules/signatures/service.ts';
import {
  admin,
  bearer,
  claimAgent,
  codeOf,
  createOwner,
  postSign,
  recordSigned,
  registerPow,
  SIG_ENV,
  signText,
} from './helpers.ts';
import type { FastifyInstance } from 'fastify';

function verify(app: FastifyInstance, hash: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/api/v1/signatures/verify?hash=${hash}`, headers });
}

function certify(app: FastifyInstance, payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/api/v1/signatures/certify', payload: payload as object, headers });
}

eachEngine('verify: the seed shape, with owner, reputation, certification count and URLs', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app, { label: 'Report Bot' });
    const registeredAt = clock.now();
    clock.advance(10_000);
    const first = await recordSigned(app, agent, 'quarterly numbers', clock.now(), 'Q3');
    await recordSigned(app, agent, 'something else', clock.now());

    const res = await verify(app, first.signatureHash);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      valid: true,
      signatureHash: first.signatureHash,
      signedAt: first.body.signedAt,
      payloadHash: sha256HexSync('quarterly numbers'),
      publicNote: 'Q3',
      unverifiedNote: null,
      signature: first.body.signature,
      signerPublicKey: agent.pair.publicKeyBase64,
      agent: {
        did: agent.did,
        publicName: 'Report Bot',
        handle: null,
        status: 'unclaimed',
        activeSince: registeredAt,
        publicKey: agent.pair.publicKeyBase64,
      },
      owner: null,
      reputation: { score: 50, totalSignatures: 2 },
      verification: {
        instructions: (res.json() as { verification: { instructions: string } }).verification.instructions,
        algorithm: 'SHA-256',
        encoding: 'hex',
        payloadHash: sha256HexSync('quarterly numbers'),
        verifyUrl: `https://vouch.test/verify/${first.signatureHash}`,
        certifyUrl: 'https://vouch.test/api/v1/signatures/certify',
        learnMore: 'https://vouch.test/docs',
      },
      certificationCount: 0,
    });

    // Claimed by an owner, with a slug: owner and handle appear.
    const owner = await createOwner(app, 'acme', 'Acme Corp');
    await claimAgent(app, owner, agent.claimToken);
    const slug = await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${agent.did}/slug`,
      headers: admin,
      payload: { slug: 'report-bot' },
    });
    assert.equal(slug.statusCode, 200, slug.body);
    const after = (await verify(app, first.signatureHash)).json() as {
      owner: unknown;
      agent: { handle: string; status: string };
    };
    assert.deepEqual(after.owner, { name: 'Acme Corp', handle: 'acme' });
    assert.equal(after.agent.handle, 'report-bot');
    assert.equal(after.agent.status, 'claimed');

    // A revoked agent's recorded signatures still answer, with the agent's status.
    await app.inject({ method: 'POST', url: `/api/v1/agents/${agent.did}/revoke`, headers: admin });
    const revoked = (await verify(app, first.signatureHash)).json() as { valid: boolean; agent: { status: string } };
    assert.equal(revoked.valid, true);
    assert.equal(revoked.agent.status, 'revoked');
    // Certify says so too: the content still matches what was signed, by a signer that no longer answers for it.
    const certified = await certify(app, { signatureHash: first.signatureHash, contentHash: first.body.payloadHash });
    assert.equal(certified.statusCode, 200, certified.body);
    assert.deepEqual((certified.json() as { match: boolean; signer: { status: string } }).signer.status, 'revoked');
    assert.equal((certified.json() as { match: boolean }).match, true);
  } finally {
    await app.close();
  }
});

eachEngine('verify: unknown hash 404, malformed hash 400, no integratorConsent without a key', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const agent = await registerPow(app);
    const { signatureHash } = await recordSigned(app, agent, 'x', clock.now());
    const unknown = await verify(app, 'a'.repeat(64));
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(Object.keys(unknown.json() as object).sort(), ['code', 'error']);
    assert.equal(codeOf(unknown), 'NOT_FOUND');
    for (const bad of ['A'.repeat(64), 'a'.repeat(63), 'zz', '']) {
      const res = await verify(app, bad);
      assert.equal(res.statusCode, 400, bad);
      assert.equal(codeOf(res), 'VALIDATION_FAILED');
    }
    const missing = await app.inject({ method: 'GET', url: '/api/v1/signatures/verify' });
    assert.equal(missing.statusCode, 400);
    // A wrong bearer key is ignored, never refused.
    const wrongKey = await verify(app, signatureHash, bearer('vik_not-a-key'));
    assert.equal(wrongKey.statusCode, 200);
    assert.equal((wrongKey.json() as Record<string, unknown>).integratorConsent, undefined);
  } finally {
    await app.close();
  }
});

eachEngine('verify and certify: an integrator key adds the agent consent for that integrator', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: SIG_ENV });
  try {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/integrators',
      headers: admin,
      payload: { slug: 'shop', name: 'Shop', domain: 'shop.example', metrics: [] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { apiKey } = created.json() as { apiKey: string };
    const agent = await registerPow(app);
    const { signatureHash, body } = await recordSigned(app, agent, 'contract', clock.now());

    const none = (await verify(app, signatureHash, bearer(apiKey))).json() as Record<string, unknown>;
    assert.deepEqual(none.integratorConsent, { integratorSlug: 'shop', status: 'none' });

    // The agent allows the integrator with a signed consent payload (issue 6).
    const signedAt = clock.now();
    const consentHash = sha256HexSync(
      canonicalize({
        type: 'integrator_consent_v1',
        did: agent.did,
        integratorSlug: 'shop',
        action: 'allow',
        signedAt,
      }),
    );
    const sign = await postSign(app, {
      did: agent.did,
      payloadHash: consentHash,
      signedAt,
      signature: await signText(agent.pair, `${consentHash}:${signedAt}`),
    });
    assert.equal(sign.statusCode, 201, sign.body);
    const consentSig = (sign.json() as { signatureHash: string }).signatureHash;
    const consent = await app.inject({
      method: 'POST',
      url: '/api/v1/integrators/consent',
      payload: { integratorSlug: 'shop', did: agent.did, action: 'allow', signatureHash: consentSig, signedAt },
    });
    assert.equal(consent.statusCode, 200, consent.body);

    const allowed = (await verify(app, signatureHash, bearer(apiKey))).json() as Record<string, unknown>;
    assert.deepEqual(allowed.integratorConsent, { integratorSlug: 'shop', status: 'allowed' });
    const cert = await certify(app, { signatureHash, contentHash: body.payloadHash }, bearer(apiKey));
    assert.equal(cert.statusCode, 200, cert.body);
    assert.deepEqual((cert.json() as Record<string, unknown>).integratorConsent, {
      integratorSlug: 'shop',
      status: 'allowed',
    });
    const anonymous = (await certify(app, { signatureHash, contentHash: body.payloadHash })).json() as object;
    assert.equal('integratorConsent' in anonymous, false);
  } finally {
    await app.close();
  }
});

eachEngine('certify: a match counts once per address; unknown 404; rate-limited per client', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: { ...SIG_ENV, VOUCH_CERTIFY_RATE_MAX: '5' } });
  try {
    const agent = await registerPow(app);
    const { signatureHash, body } = await recordSigned(app, agent, 'the original', clock.now(), 'note');

    const match = await certify(app, { signatureHash, contentHash: sha256HexSync('the original') });
    assert.equal(match.statusCode, 200, match.body);
    assert.deepEqual(match.json(), {
      match: true,
      signatureHash,
      payloadHash: body.payloadHash,
      signer: { did: agent.did, signedAt: body.signedAt, publicNote: 'note', status: 'unclaimed' },
      certificationCount: 1,
    });
    // Upper-case hex is the same digest (a match, from the address that already counted today).
    const upper = await certify(app, { signatureHash, contentHash: body.payloadHash.toUpperCase() });
    assert.deepEqual(
      {
        match: (upper.json() as { match: boolean }).match,
        n: (upper.json() as { certificationCount: number }).certificationCount,
      },
      { match: true, n: 1 },
    );

    const before = await tableCounts(storage);
    const mismatch = await certify(app, { signatureHash, contentHash: sha256HexSync('the original.') });
    assert.equal(mismatch.statusCode, 200);
    assert.deepEqual(
      {
        match: (mismatch.json() as { match: boolean }).match,
        n: (mismatch.json() as { certificationCount: number }).certificationCount,
      },
      { match: false, n: 1 },
    );
    const unknown = await certify(app, { signatureHash: 'b'.repeat(64), contentHash: body.payloadHash });
    assert.equal(unknown.statusCode, 404);
    assert.equal(codeOf(unknown), 'NOT_FOUND');
    const bad = await certify(app, { signatureHash, contentHash: 'abc' });
    assert.equal(codeOf(bad), 'VALIDATION_FAILED');
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal((await findSignature(ctx, signatureHash))!.certificationCount, 1);
    assert.equal(((await verify(app, signatureHash)).json() as { certificationCount: number }).certificationCount, 1);

    // Five certify requests so far from this address: the sixth is refused, another address is not.
    const limited = await certify(app, { signatureHash, contentHash: body.payloadHash });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/v1/signatures/certify',
      remoteAddress: '10.1.2.3',
      payload: { signatureHash, contentHash: body.payloadHash },
    });
    assert.equal(elsewhere.statusCode, 200, elsewhere.body);
    assert.equal((await findSignature(ctx, signatureHash))!.certificationCount, 2);
  } finally {
    await app.close();
  }
});
