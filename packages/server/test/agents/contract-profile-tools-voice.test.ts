// docs/PROTOCOL.md, "Agent identities" (profiles), "Tool manifests", "Voice fingerprints", "Domain proofs" (the
// challenge's refusals) and "Identity score", against the app: the documented members, and every documented refusal
// with its status and code, declared in /docs/json and writing nothing.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertAnswer, declaredStatuses, refusedWritingNothing } from './contract-helpers.ts';
import type { Contract } from './contract-helpers.ts';
import { admin, bearer, createOwner, registerSlug, TEST_ENV } from './helpers.ts';

const PROFILE = 'GET /v1/identity/{slug}';
const SET_TOOLS = 'POST /v1/identity/{slug}/tools';
const GET_TOOLS = 'GET /v1/identity/{slug}/tools';
const VERIFY_TOOLS = 'POST /v1/identity/{slug}/verify-tools';
const VOICE = 'POST /v1/identity/{slug}/voice-fingerprint';
const VERIFY_VOICE = 'POST /v1/identity/{slug}/verify-voice';
const CHALLENGE = 'GET /v1/identity/{slug}/domain-challenge';
const VERIFY_DOMAIN = 'POST /v1/identity/{slug}/verify-domain';

const MANIFEST = [
  'agent_slug',
  'did',
  'tool_manifest_hash',
  'tools',
  'tool_descriptions',
  'signature',
  'signature_alg',
  'signature_kid',
  'updated_at',
  'agent_status',
  'revoked_at',
];

eachEngine('contract: profiles, tool manifests, voice fingerprints and domain challenges', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const c: Contract = { app, storage, declared: await declaredStatuses(app) };
    const agent = await registerSlug(app, 'contract-agent', { model_id: 'model-1' });
    const auth = bearer(agent.managementToken);
    const stranger = await createOwner(app, 'stranger');

    // Profiles: by slug, DID or id; the seed's members and Vouch's additions, no secret.
    const profile = assertAnswer(
      c,
      PROFILE,
      await app.inject({ method: 'GET', url: `/v1/identity/${agent.id}` }),
      200,
      [
        ...['slug', 'name', 'identity_score', 'verified_proofs', 'code_hash', 'model_id', 'verified_domain'],
        ...['tool_manifest_hash', 'tools', 'created_at', 'did', 'status', 'description', 'owner', 'public_key'],
        ...['public_key_pem', 'key_proven', 'voice_fingerprint', 'identity_score_breakdown', 'domain_checked_at'],
        ...['updated_at', 'revoked_at', 'public_url'],
      ],
    );
    assert.equal(profile.identity_score, 10 + 5);
    assert.ok(!JSON.stringify(profile).includes('vouch_mgmt_'));
    const unknown = await app.inject({ method: 'GET', url: '/v1/identity/no-such-agent' });
    assert.equal(unknown.statusCode, 404);

    // Tool manifests: the agent's credentials only; names and descriptions bounded; descriptions are display text.
    const setTools = (headers: Record<string, string>, payload: object, ref = agent.slug) =>
      app.inject({ method: 'POST', url: `/v1/identity/${ref}/tools`, headers, payload });
    await refusedWritingNothing(c, SET_TOOLS, () => setTools({}, { tools: ['a'] }), 401, 'UNAUTHORIZED');
    await refusedWritingNothing(
      c,
      SET_TOOLS,
      () => setTools(bearer(stranger.apiKey), { tools: ['a'] }),
      403,
      'FORBIDDEN',
    );
    await refusedWritingNothing(
      c,
      SET_TOOLS,
      () => setTools(auth, { tools: ['-a'] }),
      400,
      'VALIDATION_FAILED',
      'body.tools[0]',
    );
    await refusedWritingNothing(
      c,
      SET_TOOLS,
      () => setTools(auth, { tools: ['a'], tool_descriptions: { b: 'x' } }),
      400,
      'VALIDATION_FAILED',
      'body.tool_descriptions.b',
    );
    for (const text of ['Send email\u202e', 'zero\u200bwidth', 'bell\u0007', 'c1\u009b']) {
      await refusedWritingNothing(
        c,
        SET_TOOLS,
        () => setTools(auth, { tools: ['send_email'], tool_descriptions: { send_email: text } }),
        400,
        'VALIDATION_FAILED',
        'body.tool_descriptions.send_email',
      );
    }
    await refusedWritingNothing(
      c,
      GET_TOOLS,
      () => app.inject({ method: 'GET', url: '/v1/identity/contract-agent/tools' }),
      404,
      'NOT_FOUND',
    );
    await refusedWritingNothing(
      c,
      VERIFY_TOOLS,
      () => app.inject({ method: 'POST', url: '/v1/identity/contract-agent/verify-tools?tools_used=a' }),
      404,
      'NOT_FOUND',
    );
    const set = await setTools(auth, {
      tools: ['send_email', 'read_file', 'read_file'],
      tool_descriptions: { send_email: 'Approved domains only,\nline two' },
    });
    const manifest = assertAnswer(c, SET_TOOLS, set, 200, MANIFEST);
    assert.deepEqual(manifest.tools, ['read_file', 'send_email']);
    assert.deepEqual(
      assertAnswer(
        c,
        GET_TOOLS,
        await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}/tools` }),
        200,
        MANIFEST,
      ),
      manifest,
    );

    // verify-tools: query and body (their union); either one is required.
    const verifyTools = (url: string, payload?: object) =>
      app.inject({
        method: 'POST',
        url: `/v1/identity/contract-agent/verify-tools${url}`,
        ...(payload ? { payload } : {}),
      });
    await refusedWritingNothing(c, VERIFY_TOOLS, () => verifyTools(''), 400, 'VALIDATION_FAILED', 'body.tools_used');
    await refusedWritingNothing(
      c,
      VERIFY_TOOLS,
      () => verifyTools('', { tools_used: [] }),
      400,
      'VALIDATION_FAILED',
      'body.tools_used',
    );
    const checked = assertAnswer(
      c,
      VERIFY_TOOLS,
      await verifyTools('?tools_used=read_file', { tools_used: ['rm'] }),
      200,
      ['verified', 'authorized_tools', 'unauthorized_tools', 'manifest_hash'],
    );
    assert.deepEqual(checked, {
      verified: false,
      authorized_tools: ['read_file'],
      unauthorized_tools: ['rm'],
      manifest_hash: manifest.tool_manifest_hash,
    });

    // Voice fingerprints: 64 hex, never returned; verify-voice takes the query or the body.
    const hash = 'AB'.repeat(32);
    const voice = (headers: Record<string, string>, payload: object) =>
      app.inject({ method: 'POST', url: '/v1/identity/contract-agent/voice-fingerprint', headers, payload });
    const good = { fingerprint_hash: hash, provider: 'elevenlabs', sample_count: 3 };
    await refusedWritingNothing(c, VOICE, () => voice(bearer(stranger.apiKey), good), 403, 'FORBIDDEN');
    await refusedWritingNothing(
      c,
      VOICE,
      () => voice(auth, { ...good, fingerprint_hash: 'ab' }),
      400,
      'VALIDATION_FAILED',
      'body.fingerprint_hash',
    );
    await refusedWritingNothing(
      c,
      VOICE,
      () => voice(auth, { ...good, sample_count: 0 }),
      400,
      'VALIDATION_FAILED',
      'body.sample_count',
    );
    const registered = assertAnswer(c, VOICE, await voice(auth, good), 200, [
      'registered',
      'agent_slug',
      'did',
      'provider',
      'sample_count',
    ]);
    assert.ok(!JSON.stringify(registered).toLowerCase().includes(hash.toLowerCase()), 'the hash is never returned');
    const verifyVoice = (query: string, payload?: object) =>
      app.inject({
        method: 'POST',
        url: `/v1/identity/contract-agent/verify-voice${query}`,
        ...(payload ? { payload } : {}),
      });
    await refusedWritingNothing(
      c,
      VERIFY_VOICE,
      () => verifyVoice(''),
      400,
      'VALIDATION_FAILED',
      'querystring.fingerprint_hash',
    );
    const matched = assertAnswer(
      c,
      VERIFY_VOICE,
      await verifyVoice('', { fingerprint_hash: hash.toLowerCase() }),
      200,
      ['verified', 'agent_slug', 'did', 'confidence', 'safe_for_payment'],
    );
    // No verified domain and no proven key: not safe for payment, whatever the match.
    assert.deepEqual(matched, {
      verified: true,
      agent_slug: 'contract-agent',
      did: agent.did,
      confidence: 1,
      safe_for_payment: false,
    });
    const score = (await app.inject({ method: 'GET', url: '/v1/identity/contract-agent' })).json() as {
      identity_score: number;
    };
    assert.equal(score.identity_score, 10 + 5 + 15 + 5, 'registration, model id, tool manifest, voice');

    // Domain challenges: the agent's management token, owner or admin; a domain name; a challenge before a check.
    const challenge = (query: string, headers: Record<string, string>) =>
      app.inject({ method: 'GET', url: `/v1/identity/contract-agent/domain-challenge${query}`, headers });
    await refusedWritingNothing(
      c,
      CHALLENGE,
      () => challenge('?domain=agent.example', bearer(stranger.apiKey)),
      403,
      'FORBIDDEN',
    );
    await refusedWritingNothing(
      c,
      CHALLENGE,
      () => challenge('', auth),
      400,
      'VALIDATION_FAILED',
      'querystring.domain',
    );
    await refusedWritingNothing(c, CHALLENGE, () => challenge('?domain=127.0.0.1', auth), 400, 'DOMAIN_INVALID');
    const verifyDomain = (payload: object) =>
      app.inject({ method: 'POST', url: '/v1/identity/contract-agent/verify-domain', headers: auth, payload });
    await refusedWritingNothing(
      c,
      VERIFY_DOMAIN,
      () => verifyDomain({ domain: 'agent.example' }),
      404,
      'DOMAIN_CHALLENGE_NOT_FOUND',
    );
    assert.equal((await challenge('?domain=agent.example', auth)).statusCode, 200);
    await refusedWritingNothing(
      c,
      VERIFY_DOMAIN,
      () => verifyDomain({ domain: 'agent.example', agent_slug: 'another-agent' }),
      400,
      'VALIDATION_FAILED',
      'body.agent_slug',
    );
    clock.advance(24 * 3600_000);
    await refusedWritingNothing(
      c,
      VERIFY_DOMAIN,
      () => verifyDomain({ domain: 'agent.example' }),
      409,
      'DOMAIN_CHALLENGE_EXPIRED',
    );

    // A revoked agent: its manifest stands but does not verify; nothing more is recorded for it.
    const revoked = await app.inject({ method: 'POST', url: '/api/v1/agents/contract-agent/revoke', headers: admin });
    assert.equal(revoked.statusCode, 200, revoked.body);
    const after = (await verifyTools('?tools_used=read_file')).json() as Record<string, unknown>;
    assert.equal(after.verified, false);
    assert.equal(after.code, 'AGENT_REVOKED');
    const voiceAfter = assertAnswer(c, VERIFY_VOICE, await verifyVoice('', { fingerprint_hash: hash }), 200, [
      'verified',
      'agent_slug',
      'did',
      'confidence',
      'safe_for_payment',
      'error',
      'code',
    ]);
    assert.deepEqual(
      [voiceAfter.verified, voiceAfter.confidence, voiceAfter.safe_for_payment, voiceAfter.code],
      [false, 0, false, 'AGENT_REVOKED'],
    );
    await refusedWritingNothing(c, SET_TOOLS, () => setTools(admin, { tools: ['a'] }), 403, 'AGENT_REVOKED');
    await refusedWritingNothing(c, VOICE, () => voice(admin, good), 403, 'AGENT_REVOKED');
    await refusedWritingNothing(c, CHALLENGE, () => challenge('?domain=agent.example', admin), 403, 'AGENT_REVOKED');
  } finally {
    await app.close();
  }
});
