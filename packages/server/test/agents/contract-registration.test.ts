// docs/PROTOCOL.md, "Agent identities", "Proof of work" and "Proof of possession", against the app: both
// registration routes answer the documented members, and every documented refusal with its status and code, declared
// in /docs/json and writing nothing.
import assert from 'node:assert/strict';
import { checkPow, formatPublicKey, parsePublicKey, solvePow } from '@vouch/sdk';
import { registrationStatement } from '../../src/modules/agents/auth.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertAnswer, declaredStatuses, refusedWritingNothing } from './contract-helpers.ts';
import type { Contract } from './contract-helpers.ts';
import { bearer, createOwner, newPair, registerPow, signText, TEST_ENV } from './helpers.ts';

const POW = 'POST /api/v1/agents/register';
const SLUG = 'POST /v1/identity/register';

eachEngine('contract: POST /api/v1/agents/register (proof of work)', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const c: Contract = { app, storage, declared: await declaredStatuses(app) };
    const send = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/v1/agents/register', payload });
    const pair = await newPair();
    const publicKey = pair.publicKeyBase64!;
    const { nonce } = await solvePow(publicKey, { difficulty: 1 });

    await refusedWritingNothing(c, POW, () => send({ powNonce: nonce }), 400, 'VALIDATION_FAILED', 'body.publicKey');
    await refusedWritingNothing(
      c,
      POW,
      () => send({ publicKey, powNonce: nonce, x: 1 }),
      400,
      'VALIDATION_FAILED',
      'body.x',
    );
    let bad = 0;
    while (checkPow(publicKey, String(bad), 1)) bad++;
    await refusedWritingNothing(c, POW, () => send({ publicKey, powNonce: String(bad) }), 400, 'POW_INVALID');
    await refusedWritingNothing(c, POW, () => send({ publicKey, powNonce: '12a' }), 400, 'INVALID_POW_NONCE');
    // A point of small order: every form of "Keys" refuses it.
    const small = Buffer.alloc(32).toString('base64');
    await refusedWritingNothing(c, POW, () => send({ publicKey: small, powNonce: '1' }), 400, 'INVALID_KEY');
    await refusedWritingNothing(
      c,
      POW,
      () => send({ publicKey, powNonce: nonce, linkingKey: 'vouch_link_unknown' }),
      400,
      'TOKEN_INVALID',
    );
    // Proof of possession: signedAt within 5 minutes, a signature that verifies.
    const late = { signedAt: T0 - 5 * 60_000 - 1, signature: await signText(pair, 'x') };
    await refusedWritingNothing(
      c,
      POW,
      () => send({ publicKey, powNonce: nonce, keyProof: late }),
      400,
      'SIGNED_AT_OUT_OF_WINDOW',
    );
    const wrong = { signedAt: T0, signature: await signText(pair, 'not the statement') };
    await refusedWritingNothing(
      c,
      POW,
      () => send({ publicKey, powNonce: nonce, keyProof: wrong }),
      400,
      'SIGNATURE_INVALID',
    );

    const proof = {
      signedAt: T0,
      signature: await signText(pair, registrationStatement('https://vouch.test', publicKey, T0)),
    };
    const ok = await send({ publicKey, powNonce: nonce, label: 'Contract agent', keyProof: proof });
    const body = assertAnswer(c, POW, ok, 201, ['did', 'claimToken', 'linked']);
    assert.match(String(body.did), /^did:identity:[a-z2-7]{26}$/);
    assert.match(String(body.claimToken), /^vouch_claim_[A-Za-z0-9_-]{43}$/);
    assert.equal(body.linked, false);

    // One key, one agent: again (in another form) is 409 on both routes.
    const pem = formatPublicKey(parsePublicKey(publicKey, { type: 'Ed25519' }), 'pem');
    const pemNonce = (await solvePow(pem, { difficulty: 1 })).nonce;
    await refusedWritingNothing(
      c,
      POW,
      () => send({ publicKey: pem, powNonce: pemNonce }),
      409,
      'KEY_ALREADY_REGISTERED',
    );
    await refusedWritingNothing(
      c,
      SLUG,
      () =>
        app.inject({
          method: 'POST',
          url: '/v1/identity/register',
          payload: { slug: 'same-key', public_key_pem: pem },
        }),
      409,
      'KEY_ALREADY_REGISTERED',
    );

    // A linking key links at once (no claim token), once, for 7 days.
    const owner = await createOwner(app, 'acme');
    const link = async () =>
      (
        (
          await app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers: bearer(owner.apiKey) })
        ).json() as { linkingKey: string }
      ).linkingKey;
    const linkingKey = await link();
    const linked = await registerPow(app, { linkingKey });
    assert.equal(linked.linked, true);
    assert.equal(linked.claimToken, undefined);
    const other = await newPair();
    const otherNonce = (await solvePow(other.publicKeyBase64!, { difficulty: 1 })).nonce;
    const again = { publicKey: other.publicKeyBase64, powNonce: otherNonce, linkingKey };
    await refusedWritingNothing(c, POW, () => send(again), 409, 'TOKEN_USED');
    const expiring = await link();
    clock.advance(7 * 24 * 3600_000 + 1);
    await refusedWritingNothing(c, POW, () => send({ ...again, linkingKey: expiring }), 400, 'TOKEN_INVALID');
  } finally {
    await app.close();
  }
});

eachEngine('contract: POST /v1/identity/register (slug)', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { ...TEST_ENV, VOUCH_REQUIRE_KEY_PROOF: '1' } });
  try {
    const c: Contract = { app, storage, declared: await declaredStatuses(app) };
    const send = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/v1/identity/register', payload });
    const pair = await newPair();
    const key = pair.publicKeyBase64!;
    const proof = {
      signed_at: T0,
      signature: await signText(pair, registrationStatement('https://vouch.test', key, T0)),
    };

    for (const slug of ['ab', 'A-agent', 'agent-', '1agent', 'a'.repeat(26), 'a'.repeat(41)]) {
      await refusedWritingNothing(c, SLUG, () => send({ slug }), 400, 'SLUG_INVALID');
    }
    await refusedWritingNothing(
      c,
      SLUG,
      () => send({ slug: 'hashy', code_hash: 'ab' }),
      400,
      'VALIDATION_FAILED',
      'body.code_hash',
    );
    await refusedWritingNothing(
      c,
      SLUG,
      () => send({ slug: 'named', name: 'a\u202eb' }),
      400,
      'VALIDATION_FAILED',
      'body.name',
    );
    await refusedWritingNothing(c, SLUG, () => send({ slug: 'domainy', domain: 'localhost' }), 400, 'DOMAIN_INVALID');
    await refusedWritingNothing(
      c,
      SLUG,
      () => send({ slug: 'proofy', key_proof: proof }),
      400,
      'VALIDATION_FAILED',
      'body.key_proof',
    );
    // VOUCH_REQUIRE_KEY_PROOF=1: a key only with its proof.
    await refusedWritingNothing(
      c,
      SLUG,
      () => send({ slug: 'unproven', public_key_pem: key }),
      400,
      'VALIDATION_FAILED',
      'body.key_proof',
    );
    await refusedWritingNothing(
      c,
      SLUG,
      () => send({ slug: 'linky', linking_key: 'vouch_link_x' }),
      400,
      'TOKEN_INVALID',
    );

    const ok = await send({
      slug: 'contract-agent',
      name: 'Contract agent',
      description: 'Line one\nline two',
      public_key_pem: key,
      key_proof: proof,
      code_hash: 'AB'.repeat(32),
      model_id: 'model-1',
      domain: 'Agent.Example.COM',
    });
    const body = assertAnswer(c, SLUG, ok, 201, [
      'slug',
      'did',
      'registered',
      'identity_score',
      'verification_challenges',
      'public_url',
      'management_token',
      'linked',
      'claim_token',
    ]);
    assert.equal(body.identity_score, 10 + 20 + 15 + 5);
    assert.equal(body.public_url, 'https://vouch.test/verify/contract-agent');
    assert.match(String(body.management_token), /^vouch_mgmt_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(Object.keys(body.verification_challenges as object).sort(), [
      'domain',
      'domain_file',
      'domain_meta_tag',
    ]);
    assert.match(
      String((body.verification_challenges as { domain: string }).domain),
      /_vouch-verify\.agent\.example\.com/,
    );

    await refusedWritingNothing(c, SLUG, () => send({ slug: 'contract-agent' }), 409, 'SLUG_TAKEN');
  } finally {
    await app.close();
  }
});
