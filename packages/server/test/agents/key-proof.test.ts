// Proof of possession at registration: the key's holder may sign `vouch-register-v1:<public URL>:<key>:<signedAt>`;
// a proof given is verified and recorded (`key_proven`), and with VOUCH_REQUIRE_KEY_PROOF=1 a key is registered only
// with one, so no one can register another's public key (which would block its holder and take its signatures).
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { solvePow } from '@vouch/sdk';
import type { GeneratedKeyPair } from '@vouch/sdk';
import { registrationStatement, rotationStatement } from '../../src/modules/agents/auth.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { codeOf, newPair, signedInject, signText, TEST_ENV } from './helpers.ts';

const PUBLIC_URL = TEST_ENV.VOUCH_PUBLIC_URL;

async function proofBy(signer: GeneratedKeyPair, key: string, signedAt: number, publicUrl = PUBLIC_URL) {
  return { signedAt, signature: await signText(signer, registrationStatement(publicUrl, key, signedAt)) };
}

async function powRegister(
  app: FastifyInstance,
  pair: GeneratedKeyPair,
  keyProof?: { signedAt: number; signature: string },
): Promise<LightMyRequestResponse> {
  const publicKey = pair.publicKeyBase64!;
  const { nonce } = await solvePow(publicKey, { difficulty: 1 });
  return app.inject({
    method: 'POST',
    url: '/api/v1/agents/register',
    payload: { publicKey, powNonce: nonce, ...(keyProof === undefined ? {} : { keyProof }) },
  });
}

function slugRegister(app: FastifyInstance, payload: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/identity/register', payload });
}

async function keyProven(app: FastifyInstance, ref: string): Promise<boolean> {
  const res = await app.inject({ method: 'GET', url: `/v1/identity/${ref}` });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { key_proven: boolean }).key_proven;
}

eachEngine('key proof: verified and recorded when given, by both registration routes', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const holder = await newPair();
    const key = holder.publicKeyBase64!;
    const stranger = await newPair();
    const now = clock.now();

    const before = await tableCounts(storage);
    const refused: Array<[string, () => Promise<LightMyRequestResponse>, number, string]> = [
      [
        'signed by another key',
        async () => powRegister(app, holder, await proofBy(stranger, key, now)),
        400,
        'SIGNATURE_INVALID',
      ],
      [
        'made for another server',
        async () => powRegister(app, holder, await proofBy(holder, key, now, 'https://elsewhere.test')),
        400,
        'SIGNATURE_INVALID',
      ],
      [
        'signed 6 minutes ago',
        async () => powRegister(app, holder, await proofBy(holder, key, now - 360_000)),
        400,
        'SIGNED_AT_OUT_OF_WINDOW',
      ],
      [
        'a claimed signedAt other than the signed one',
        async () => powRegister(app, holder, { ...(await proofBy(holder, key, now)), signedAt: now + 1 }),
        400,
        'SIGNATURE_INVALID',
      ],
      [
        'Treeship: signed by another key',
        async () =>
          slugRegister(app, {
            slug: 'holder-bot',
            public_key_pem: holder.publicPem,
            key_proof: { signed_at: now, signature: (await proofBy(stranger, key, now)).signature },
          }),
        400,
        'SIGNATURE_INVALID',
      ],
      [
        'Treeship: a proof without a key',
        async () =>
          slugRegister(app, {
            slug: 'holder-bot',
            key_proof: { signed_at: now, signature: (await proofBy(holder, key, now)).signature },
          }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'Treeship: a proof missing its time',
        async () => slugRegister(app, { slug: 'holder-bot', public_key_pem: key, key_proof: { signature: 'AAAA' } }),
        400,
        'VALIDATION_FAILED',
      ],
    ];
    for (const [what, send, status, code] of refused) {
      const res = await send();
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      assert.equal(codeOf(res), code, what);
    }
    assert.deepEqual(await tableCounts(storage), before, 'refused registrations wrote nothing');

    // identity.app's route: a good proof (any key form may be sent; the statement names the base64 form).
    const ok = await powRegister(app, holder, await proofBy(holder, key, now - 60_000));
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.headers['cache-control'], 'no-store', 'the answer carries the claim token');
    const did = (ok.json() as { did: string }).did;
    assert.equal(await keyProven(app, did), true);
    const page = await app.inject({ method: 'GET', url: `/verify/${did}`, headers: { accept: 'text/html' } });
    assert.match(page.body, /id="agent-key-proof">\(possession proven\)/);

    // Treeship's route, with the key as PEM.
    const other = await newPair();
    const slug = await slugRegister(app, {
      slug: 'proven-bot',
      public_key_pem: other.publicPem,
      key_proof: { signed_at: now, signature: (await proofBy(other, other.publicKeyBase64!, now)).signature },
    });
    assert.equal(slug.statusCode, 201, slug.body);
    assert.equal(slug.headers['cache-control'], 'no-store', 'the answer carries the management token');
    assert.equal(await keyProven(app, 'proven-bot'), true);

    // Without a proof (the seeds' clients): registered, not proven; a rotation proves the new key.
    const plain = await newPair();
    const unproven = await powRegister(app, plain);
    assert.equal(unproven.statusCode, 201);
    const plainDid = (unproven.json() as { did: string }).did;
    assert.equal(await keyProven(app, plainDid), false);
    const plainPage = await app.inject({ method: 'GET', url: `/verify/${plainDid}`, headers: { accept: 'text/html' } });
    assert.match(plainPage.body, /id="agent-key-proof">\(possession not proven\)/);
    const noKey = await slugRegister(app, { slug: 'keyless-bot' });
    assert.equal(noKey.statusCode, 201);
    assert.equal(await keyProven(app, 'keyless-bot'), false);
    const next = await newPair();
    const at = clock.now();
    const rotation = {
      newPublicKey: next.publicKeyBase64!,
      newKeySignature: await signText(
        next,
        rotationStatement(plainDid, plain.publicKeyBase64!, next.publicKeyBase64!, at),
      ),
    };
    const rot = await signedInject(app, plain, plainDid, 'POST', `/api/v1/agents/${plainDid}/rotate-key`, rotation, at);
    assert.equal(rot.statusCode, 200, rot.body);
    assert.equal(await keyProven(app, plainDid), true);
  } finally {
    await app.close();
  }
});

eachEngine("key proof: with VOUCH_REQUIRE_KEY_PROOF=1 no one registers another's key", async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: { ...TEST_ENV, VOUCH_REQUIRE_KEY_PROOF: '1' } });
  try {
    const victim = await newPair(); // the squatter only ever sees victim.publicKeyBase64
    const key = victim.publicKeyBase64!;
    const before = await tableCounts(storage);
    const squat = await slugRegister(app, { slug: 'official-acme', public_key_pem: key });
    assert.equal(squat.statusCode, 400, squat.body);
    assert.equal(codeOf(squat), 'VALIDATION_FAILED');
    assert.match(squat.body, /body\.key_proof/);
    const squatPow = await powRegister(app, victim);
    assert.equal(squatPow.statusCode, 400, squatPow.body);
    assert.match(squatPow.body, /body\.keyProof/);
    assert.deepEqual(await tableCounts(storage), before);

    // The key's holder registers it, by either route.
    const own = await powRegister(app, victim, await proofBy(victim, key, clock.now()));
    assert.equal(own.statusCode, 201, own.body);
    const second = await newPair();
    const bySlug = await slugRegister(app, {
      slug: 'official-acme',
      public_key_pem: second.publicPem,
      key_proof: {
        signed_at: clock.now(),
        signature: (await proofBy(second, second.publicKeyBase64!, clock.now())).signature,
      },
    });
    assert.equal(bySlug.statusCode, 201, bySlug.body);
    // An agent without a key has nothing to prove.
    assert.equal((await slugRegister(app, { slug: 'keyless-bot' })).statusCode, 201);
  } finally {
    await app.close();
  }
});
