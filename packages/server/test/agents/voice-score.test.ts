import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { signKeyProof } from '@vouch/sdk';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { getIdentityScore, resolveAgent } from '../../src/modules/agents/service.ts';
import { identityScore, SCORE_TABLE } from '../../src/modules/agents/score.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin, bearer, codeOf, createOwner, newPair, registerSlug, TEST_ENV } from './helpers.ts';
import { test } from 'node:test';

const FINGERPRINT = 'ab'.repeat(32);

test('score table: the seed rows plus 5 for an owner and 5 for a voice fingerprint, 100 in all', () => {
  assert.deepEqual(
    SCORE_TABLE.map((r) => [r.proof, r.points]),
    [
      ['registration', 10],
      ['publicKey', 20],
      ['codeHash', 15],
      ['modelId', 5],
      ['verifiedDomain', 25],
      ['toolManifest', 15],
      ['claimed', 5],
      ['voiceFingerprint', 5],
    ],
  );
  const none = {
    publicKey: false,
    codeHash: false,
    modelId: false,
    verifiedDomain: false,
    toolManifest: false,
    claimed: false,
    voiceFingerprint: false,
  };
  assert.equal(identityScore(none).score, 10);
  const all = Object.fromEntries(Object.keys(none).map((k) => [k, true])) as typeof none;
  assert.equal(identityScore(all).score, 100);
  // Every subset adds up exactly.
  const keys = Object.keys(none) as Array<keyof typeof none>;
  for (let mask = 0; mask < 1 << keys.length; mask++) {
    const inputs = { ...none };
    let expected = 10;
    keys.forEach((k, i) => {
      if (mask & (1 << i)) {
        inputs[k] = true;
        expected += SCORE_TABLE.find((r) => r.proof === k)!.points;
      }
    });
    const s = identityScore(inputs);
    assert.equal(s.score, expected);
    assert.equal(
      s.breakdown.reduce((n, l) => n + l.earned, 0),
      expected,
    );
  }
});

eachEngine('score arithmetic over HTTP, one proof at a time', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const score = async () =>
      ((await app.inject({ method: 'GET', url: '/v1/identity/score-agent' })).json() as { identity_score: number })
        .identity_score;
    const pair = await newPair();
    const agent = await registerSlug(app, 'score-agent', { public_key_pem: pair.publicPem });
    assert.equal(await score(), 30, 'registration 10 + key 20');
    const agent2 = await registerSlug(app, 'code-model', {
      code_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      model_id: 'gpt-4-turbo',
    });
    assert.equal(agent2.body.identity_score, 30, 'registration 10 + code 15 + model 5');

    const steps: Array<[string, () => Promise<unknown>, number]> = [
      [
        'tool manifest +15',
        () =>
          app.inject({
            method: 'POST',
            url: '/v1/identity/score-agent/tools',
            headers: bearer(agent.managementToken),
            payload: { tools: ['read_file'] },
          }),
        45,
      ],
      [
        'voice fingerprint +5',
        () =>
          app.inject({
            method: 'POST',
            url: '/v1/identity/score-agent/voice-fingerprint',
            headers: bearer(agent.managementToken),
            payload: { fingerprint_hash: FINGERPRINT, provider: 'elevenlabs', sample_count: 3 },
          }),
        50,
      ],
      [
        'verified domain +25',
        () => createAgentDomainPort(ctx).recordDomainProof(agent.id, 'agent.example.com', 'dns_txt', clock.now()),
        75,
      ],
      [
        'claimed by an owner +5',
        async () => {
          const owner = await createOwner(app, 'acme');
          return app.inject({
            method: 'POST',
            url: '/api/v1/agents/claim',
            headers: bearer(owner.apiKey),
            payload: { claimToken: agent.body.claim_token },
          });
        },
        80,
      ],
      [
        'a second domain proof adds nothing',
        () => createAgentDomainPort(ctx).recordDomainProof(agent.id, 'other.example.com', 'file', clock.now() + 5),
        80,
      ],
    ];
    for (const [what, step, expected] of steps) {
      await step();
      assert.equal(await score(), expected, what);
    }
    assert.equal((await getIdentityScore(ctx, await resolveAgent(ctx, 'score-agent'))).score, 80);
    const profile = (await app.inject({ method: 'GET', url: '/v1/identity/score-agent' })).json() as {
      identity_score_breakdown: Array<{ proof: string; earned: number; points: number }>;
      verified_domain: string;
      verified_proofs: Array<{ type: string; value: string }>;
    };
    assert.deepEqual(
      profile.identity_score_breakdown.map((l) => [l.proof, l.earned]),
      [
        ['registration', 10],
        ['publicKey', 20],
        ['codeHash', 0],
        ['modelId', 0],
        ['verifiedDomain', 25],
        ['toolManifest', 15],
        ['claimed', 5],
        ['voiceFingerprint', 5],
      ],
    );
    assert.equal(profile.verified_domain, 'other.example.com');
    assert.deepEqual(
      profile.verified_proofs.map((p) => [p.type, p.value]),
      [
        ['domain', 'agent.example.com'],
        ['owner', 'acme'],
        ['domain', 'other.example.com'],
      ],
    );
    // recordDomainProof is idempotent.
    const before = await tableCounts(storage);
    await createAgentDomainPort(ctx).recordDomainProof(agent.id, 'other.example.com', 'file', clock.now() + 99);
    assert.deepEqual(await tableCounts(storage), before);
  } finally {
    await app.close();
  }
});

eachEngine(
  'voice fingerprint: constant-time match, safe_for_payment conditions, the hash never returned',
  async ({ open }) => {
    const storage = await open();
    const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const pair = await newPair();
      // 10 + key 20 + code 15 + model 5 = 50; + voice 5 = 55; + domain 25 = 80. The key's holder proves it.
      const claims = {
        code_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        model_id: 'eleven-v2',
      };
      const agent = await registerSlug(app, 'voice-agent', {
        public_key_pem: pair.publicPem,
        key_proof: await signKeyProof(pair.privateKey, {
          publicUrl: TEST_ENV.VOUCH_PUBLIC_URL,
          signedAt: clock.now(),
        }).then((p) => ({ signed_at: p.signedAt, signature: p.signature })),
        ...claims,
      });
      const verify = async (hash: string, how: 'query' | 'body' = 'query') => {
        const res =
          how === 'query'
            ? await app.inject({
                method: 'POST',
                url: `/v1/identity/voice-agent/verify-voice?fingerprint_hash=${hash}`,
              })
            : await app.inject({
                method: 'POST',
                url: '/v1/identity/voice-agent/verify-voice',
                payload: { fingerprint_hash: hash },
              });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { verified: boolean; confidence: number; safe_for_payment: boolean; agent_slug: string };
      };
      assert.equal((await verify(FINGERPRINT)).verified, false, 'nothing registered yet');

      const registerVoice = (slug: string, managementToken: string, sampleCount: number) =>
        app.inject({
          method: 'POST',
          url: `/v1/identity/${slug}/voice-fingerprint`,
          headers: bearer(managementToken),
          payload: { fingerprint_hash: FINGERPRINT, provider: 'elevenlabs', sample_count: sampleCount },
        });
      const register = (sampleCount: number) => registerVoice('voice-agent', agent.managementToken, sampleCount);
      const reg = await register(2);
      assert.equal(reg.statusCode, 200, reg.body);
      assert.deepEqual(reg.json(), {
        registered: true,
        agent_slug: 'voice-agent',
        did: agent.did,
        provider: 'elevenlabs',
        sample_count: 2,
      });
      // Stored as the SHA-256 of the hash; never the hash itself, anywhere.
      const row = await storage.db.selectFrom('voice_fingerprints').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.fingerprint_digest, createHash('sha256').update(FINGERPRINT).digest('hex'));
      for (const url of ['/v1/identity/voice-agent', '/v1/identity/voice-agent/tools', '/verify/voice-agent']) {
        const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
        assert.ok(!res.body.includes(FINGERPRINT), url);
      }
      assert.ok(!reg.body.includes(FINGERPRINT));

      let v = await verify(FINGERPRINT);
      assert.deepEqual(v, {
        verified: true,
        agent_slug: 'voice-agent',
        did: agent.did,
        confidence: 1,
        safe_for_payment: false,
      });
      assert.equal((await verify(FINGERPRINT.toUpperCase(), 'body')).verified, true, 'hex compares case-insensitively');
      v = await verify('cd'.repeat(32));
      assert.deepEqual([v.verified, v.confidence, v.safe_for_payment], [false, 0, false]);

      // Each condition of safe_for_payment, one at a time.
      assert.equal((await verify(FINGERPRINT)).safe_for_payment, false, 'score 55, no domain, 2 samples');
      // The score counts a fingerprint of any sample count: only safe_for_payment asks for 3 samples.
      const scoreNow = async () =>
        ((await app.inject({ method: 'GET', url: '/v1/identity/voice-agent' })).json() as { identity_score: number })
          .identity_score;
      assert.equal(await scoreNow(), 55, 'a fingerprint of 2 samples earns its 5 points');
      await createAgentDomainPort(ctx).recordDomainProof(agent.id, 'voice.example.com', 'meta_tag', clock.now());
      assert.equal((await verify(FINGERPRINT)).safe_for_payment, false, 'score 80 and domain, but 2 samples');
      assert.equal(await scoreNow(), 80, 'registration, key, code, model, voice (2 samples) and domain');
      await register(3);
      assert.equal((await verify(FINGERPRINT)).safe_for_payment, true, 'score 80, domain, 3 samples');
      assert.equal((await verify('cd'.repeat(32))).safe_for_payment, false, 'not for another voice');

      // The same score, domain and samples on a key only claimed (anyone's public key, no proof): not safe.
      const claimed = await registerSlug(app, 'claimed-key', {
        public_key_pem: (await newPair()).publicPem,
        ...claims,
      });
      await registerVoice('claimed-key', claimed.managementToken, 3);
      await createAgentDomainPort(ctx).recordDomainProof(claimed.id, 'claimed.example.com', 'file', clock.now());
      const claimedRes = await app.inject({
        method: 'POST',
        url: `/v1/identity/claimed-key/verify-voice?fingerprint_hash=${FINGERPRINT}`,
      });
      assert.deepEqual(claimedRes.json(), {
        verified: true,
        agent_slug: 'claimed-key',
        did: claimed.did,
        confidence: 1,
        safe_for_payment: false,
      });
      const claimedScore = await app.inject({ method: 'GET', url: '/v1/identity/claimed-key' });
      assert.equal((claimedScore.json() as { identity_score: number }).identity_score, 80);

      // Score below 70: an agent without key, code or model (10 + domain 25 + voice 5 = 40).
      const low = await registerSlug(app, 'low-score');
      await registerVoice('low-score', low.managementToken, 5);
      await createAgentDomainPort(ctx).recordDomainProof(low.id, 'low.example.com', 'file', clock.now());
      const lowRes = (
        await app.inject({ method: 'POST', url: `/v1/identity/low-score/verify-voice?fingerprint_hash=${FINGERPRINT}` })
      ).json() as { verified: boolean; safe_for_payment: boolean };
      assert.deepEqual([lowRes.verified, lowRes.safe_for_payment], [true, false]);

      // Revoked: not verified, as verify-tools answers a revoked agent (the voice matching changes nothing).
      const revokedAt = await app.inject({ method: 'POST', url: '/api/v1/agents/voice-agent/revoke', headers: admin });
      assert.equal(revokedAt.statusCode, 200, revokedAt.body);
      const afterRevoke = await tableCounts(storage);
      for (const hash of [FINGERPRINT, 'cd'.repeat(32)]) {
        assert.deepEqual(await verify(hash), {
          verified: false,
          agent_slug: 'voice-agent',
          did: agent.did,
          confidence: 0,
          safe_for_payment: false,
          error: 'This agent has been revoked.',
          code: 'AGENT_REVOKED',
        });
      }
      assert.deepEqual(await tableCounts(storage), afterRevoke, 'a verify-voice writes nothing');

      // Refusals.
      const before = await tableCounts(storage);
      for (const payload of [
        { fingerprint_hash: 'sha256-of-voice-embedding', provider: 'x', sample_count: 3 },
        { fingerprint_hash: FINGERPRINT, provider: 'x', sample_count: 0 },
        { fingerprint_hash: FINGERPRINT, provider: 'x', sample_count: '3' },
        { fingerprint_hash: FINGERPRINT, provider: '', sample_count: 3 },
        { fingerprint_hash: FINGERPRINT, sample_count: 3 },
      ]) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/identity/low-score/voice-fingerprint',
          headers: bearer(low.managementToken),
          payload,
        });
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
      }
      const revokedWrite = await register(4);
      assert.equal(codeOf(revokedWrite), 'AGENT_REVOKED');
      for (const url of [
        '/v1/identity/low-score/verify-voice',
        '/v1/identity/low-score/verify-voice?fingerprint_hash=xyz',
      ]) {
        assert.equal((await app.inject({ method: 'POST', url })).statusCode, 400, url);
      }
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await app.close();
    }
  },
);
