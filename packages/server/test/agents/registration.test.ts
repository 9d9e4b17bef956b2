import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { formatPublicKey, solvePow } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { codeOf, newPair, registerPow, registerSlug, TEST_ENV } from './helpers.ts';

/** A nonce whose hash has exactly `zeros` leading zero hex digits (so it fails any higher difficulty). */
function nonceWithExactly(publicKey: string, zeros: number): string {
  for (let n = 0; ; n++) {
    const hex = createHash('sha256')
      .update(publicKey + String(n))
      .digest('hex');
    if (hex.startsWith('0'.repeat(zeros)) && hex[zeros] !== '0') return String(n);
  }
}

eachEngine('proof of work: accepted at the configured difficulty, rejected below it, with a code', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: { ...TEST_ENV, VOUCH_POW_DIFFICULTY: '3' } });
  try {
    const pair = await newPair();
    const publicKey = pair.publicKeyBase64!;
    const before = await tableCounts(storage);
    const weak = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey, powNonce: nonceWithExactly(publicKey, 2) },
    });
    assert.equal(weak.statusCode, 400);
    assert.equal(codeOf(weak), 'POW_INVALID');
    for (const powNonce of ['', '12a', '-1', '1'.repeat(21), ' 1']) {
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/register',
        payload: { publicKey, powNonce },
      });
      assert.equal(bad.statusCode, 400, `nonce ${JSON.stringify(powNonce)}`);
      assert.ok(['INVALID_POW_NONCE', 'VALIDATION_FAILED'].includes(codeOf(bad)), codeOf(bad));
    }
    for (const key of ['not-a-key', 'AAAA', publicKey.slice(0, -4), `${publicKey}\n`]) {
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/register',
        payload: { publicKey: key, powNonce: '1' },
      });
      assert.equal(bad.statusCode, 400, `key ${JSON.stringify(key)}`);
    }
    // A P-256 key is a key, but not an agent key.
    const p256 = await (await import('@vouch/sdk')).generateKeyPair('P-256');
    const wrongCurve = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey: p256.publicPem, powNonce: '1' },
    });
    assert.equal(wrongCurve.statusCode, 400);
    assert.equal(codeOf(wrongCurve), 'WRONG_CURVE');
    assert.deepEqual(await tableCounts(storage), before, 'refused registrations wrote nothing');

    const { nonce } = await solvePow(publicKey, { difficulty: 3 });
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey, powNonce: nonce, label: 'my-bot' },
    });
    assert.equal(ok.statusCode, 201);
    const body = ok.json() as { did: string; claimToken: string; linked: boolean };
    assert.match(body.did, /^did:identity:[a-z2-7]{26}$/);
    assert.match(body.claimToken, /^vouch_claim_[A-Za-z0-9_-]{43}$/);
    assert.equal(body.linked, false);
    assert.deepEqual(Object.keys(body).sort(), ['claimToken', 'did', 'linked']);

    // The claim token is stored only as its hash.
    const stored = await storage.db.selectFrom('claim_tokens').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.token_hash, createHash('sha256').update(body.claimToken).digest('hex'));
    assert.ok(!JSON.stringify(await storage.db.selectFrom('agents').selectAll().execute()).includes('vouch_claim_'));
  } finally {
    await app.close();
  }
});

eachEngine('difficulty 4 is the default', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage);
  try {
    const pair = await newPair();
    const publicKey = pair.publicKeyBase64!;
    const three = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey, powNonce: nonceWithExactly(publicKey, 3) },
    });
    assert.equal(codeOf(three), 'POW_INVALID');
    const { nonce } = await solvePow(publicKey, { difficulty: 4 });
    const four = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey, powNonce: nonce },
    });
    assert.equal(four.statusCode, 201);
  } finally {
    await app.close();
  }
});

eachEngine('one Ed25519 key registers once across both routes and every encoding (409)', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    // identity.app first, then Treeship with the same key as PEM.
    const a = await newPair();
    await registerPow(app, { pair: a });
    let before = await tableCounts(storage);
    const dupSlug = await app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      payload: { slug: 'dup-one', public_key_pem: a.publicPem },
    });
    assert.equal(dupSlug.statusCode, 409);
    assert.equal(codeOf(dupSlug), 'KEY_ALREADY_REGISTERED');
    // ... and again through identity.app, in the registry form (ed25519:<base64url>).
    const registryForm = a.publicKeyRegistry!;
    const { nonce } = await solvePow(registryForm, { difficulty: 1 });
    const dupPow = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey: registryForm, powNonce: nonce },
    });
    assert.equal(dupPow.statusCode, 409);
    assert.equal(codeOf(dupPow), 'KEY_ALREADY_REGISTERED');
    assert.deepEqual(await tableCounts(storage), before);

    // Treeship first, then identity.app.
    const b = await newPair();
    await registerSlug(app, 'key-owner', { public_key_pem: b.publicPem });
    before = await tableCounts(storage);
    const { nonce: n2 } = await solvePow(b.publicKeyBase64!, { difficulty: 1 });
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey: b.publicKeyBase64, powNonce: n2 },
    });
    assert.equal(again.statusCode, 409);
    assert.equal(codeOf(again), 'KEY_ALREADY_REGISTERED');
    const jwkForm = await app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      payload: { slug: 'dup-two', public_key_pem: JSON.stringify(formatPublicKey(b.publicKey, 'jwk')) },
    });
    assert.equal(codeOf(jwkForm), 'KEY_ALREADY_REGISTERED');
    assert.deepEqual(await tableCounts(storage), before);

    // Concurrent registrations of one key: exactly one lands.
    const c = await newPair();
    const { nonce: n3 } = await solvePow(c.publicKeyBase64!, { difficulty: 1 });
    const results = await Promise.all([
      app.inject({
        method: 'POST',
        url: '/api/v1/agents/register',
        payload: { publicKey: c.publicKeyBase64, powNonce: n3 },
      }),
      app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'race-a', public_key_pem: c.publicPem },
      }),
      app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'race-b', public_key_pem: c.publicPem },
      }),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409]);
  } finally {
    await app.close();
  }
});

eachEngine('Treeship registration: shape, management token, score, public_url and validation', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const pair = await newPair();
    const full = await registerSlug(app, 'my-agent', {
      name: 'My AI Agent',
      description: 'Handles customer support',
      public_key_pem: pair.publicPem,
      code_hash: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
      model_id: 'gpt-4-turbo',
    });
    const body = full.body;
    assert.equal(body.slug, 'my-agent');
    assert.equal(body.registered, true);
    assert.equal(body.identity_score, 50, '10 + 20 + 15 + 5');
    assert.deepEqual(body.verification_challenges, {});
    assert.equal(body.public_url, 'https://vouch.test/verify/my-agent');
    assert.match(full.managementToken, /^vouch_mgmt_[A-Za-z0-9_-]{43}$/);
    assert.match(body.claim_token as string, /^vouch_claim_/);
    assert.equal(body.linked, false);

    // With a domain: the challenge is issued with the agent (Treeship's `domain` entry is the DNS TXT instruction).
    const withDomain = await registerSlug(app, 'site-agent', { domain: 'Agent.Example.com' });
    const challenges = withDomain.body.verification_challenges as Record<string, string>;
    const stored = await storage.db.selectFrom('domain_challenges').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.agent_id, withDomain.id);
    assert.equal(stored[0]!.domain, 'agent.example.com');
    assert.equal(challenges.domain, `Add TXT record: _vouch-verify.agent.example.com = ${stored[0]!.token}`);
    assert.ok(challenges.domain_meta_tag!.includes(`<meta name="vouch-verify" content="${stored[0]!.token}">`));
    assert.ok(challenges.domain_file!.includes('https://agent.example.com/.well-known/vouch-verify.txt'));
    const fromRoute = await app.inject({
      method: 'GET',
      url: '/v1/identity/site-agent/domain-challenge?domain=agent.example.com',
      headers: { authorization: `Bearer ${withDomain.managementToken}` },
    });
    assert.equal((fromRoute.json() as { challenge_token: string }).challenge_token, stored[0]!.token);

    const bare = await registerSlug(app, 'bare-agent');
    assert.equal(bare.body.identity_score, 10);

    const profile = (await app.inject({ method: 'GET', url: '/v1/identity/my-agent' })).json() as Record<
      string,
      unknown
    >;
    assert.equal(profile.did, full.did);
    assert.equal(profile.code_hash, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(profile.model_id, 'gpt-4-turbo');
    assert.equal(profile.created_at, '2026-01-01T00:00:00.000Z');
    assert.equal(profile.public_key, pair.publicKeyBase64);
    assert.equal(profile.public_key_pem, pair.publicPem);
    assert.deepEqual(profile.tools, []);
    assert.equal(profile.tool_manifest_hash, null);
    assert.equal(profile.verified_domain, null);
    assert.deepEqual(profile.verified_proofs, []);
    // The management token is stored hashed, never in clear.
    const tokens = await storage.db.selectFrom('management_tokens').selectAll().execute();
    assert.equal(tokens.length, 3);
    assert.ok(tokens.every((t) => /^[0-9a-f]{64}$/.test(t.token_hash)));
    assert.ok(!JSON.stringify(tokens).includes('vouch_mgmt_'));

    const before = await tableCounts(storage);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ slug: 'my-agent' }, 409, 'SLUG_TAKEN'],
      [{ slug: 'My-Agent' }, 400, 'SLUG_INVALID'],
      [{ slug: 'a'.repeat(26) }, 400, 'SLUG_INVALID'],
      [{ slug: 'ok-slug', public_key_pem: 'not a key' }, 400, 'INVALID_KEY'],
      [{ slug: 'ok-slug', code_hash: 'sha256-of-agent-code' }, 400, 'VALIDATION_FAILED'],
      [{ slug: 'ok-slug', domain: 'http://x' }, 400, 'DOMAIN_INVALID'],
      [{ slug: 'ok-slug', domain: '127.0.0.1' }, 400, 'DOMAIN_INVALID'],
      [{ slug: 'ok-slug', unknown: 1 }, 400, 'VALIDATION_FAILED'],
      [{ slug: 'ok-slug', name: 'a\u0000b' }, 400, 'VALIDATION_FAILED'],
      [{ slug: 'ok-slug', linking_key: 'vouch_link_nope' }, 400, 'TOKEN_INVALID'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await app.inject({ method: 'POST', url: '/v1/identity/register', payload });
      assert.equal(res.statusCode, status, JSON.stringify(payload));
      assert.equal(codeOf(res), code, JSON.stringify(payload));
    }
    assert.deepEqual(await tableCounts(storage), before, 'refused registrations wrote nothing');
  } finally {
    await app.close();
  }
});

eachEngine('slug registration is rate-limited per client address', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, {
    env: { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '2', VOUCH_SLUG_REGISTER_RATE_WINDOW_MS: '3600000' },
  });
  try {
    const reg = (slug: string, ip = '127.0.0.1') =>
      app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug }, remoteAddress: ip });
    assert.equal((await reg('one-agent')).statusCode, 201);
    assert.equal((await reg('two-agent')).statusCode, 201);
    const limited = await reg('three-agent');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '3600');
    assert.equal((await reg('three-agent', '127.0.0.9')).statusCode, 201, 'another address');
    clock.advance(3_600_000);
    assert.equal((await reg('four-agent')).statusCode, 201, 'a new window');
  } finally {
    await app.close();
  }
});
