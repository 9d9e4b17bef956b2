// Review: a profile's `updated_at` (GET /v1/identity/{slug}) moves with every change of what the profile shows. A
// slug change, a claim, a key rotation, a domain proof and a revocation moved it, but setting a tool manifest or a
// voice fingerprint did not, though both change the profile's `tools`, `tool_manifest_hash`, `voice_fingerprint` and
// its identity score: a consumer comparing `updated_at` took a changed profile for the one it had.
import assert from 'node:assert/strict';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

interface Profile {
  updated_at: string;
  identity_score: number;
  tool_manifest_hash: string | null;
  voice_fingerprint: unknown;
  verified_domain: string | null;
  verified_proofs: Array<{ type: string; value: string }>;
}

eachEngine('a tool manifest or voice fingerprint that changes the profile moves its updated_at', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'my-agent');
    const auth = bearer(agent.managementToken);
    const profile = async (): Promise<Profile> => {
      const res = await app.inject({ method: 'GET', url: '/v1/identity/my-agent' });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Profile;
    };
    const send = async (url: string, payload: object): Promise<void> => {
      const res = await app.inject({ method: 'POST', url, headers: auth, payload });
      assert.equal(res.statusCode, 200, res.body);
    };
    const before = await profile();

    clock.advance(1000);
    await send('/v1/identity/my-agent/tools', { tools: ['read_file'] });
    const withTools = await profile();
    assert.notEqual(withTools.tool_manifest_hash, before.tool_manifest_hash);
    assert.equal(withTools.identity_score, before.identity_score + 15);
    assert.equal(withTools.updated_at, new Date(clock.now()).toISOString(), 'a new manifest moves updated_at');

    // The same manifest again changes nothing the profile shows: updated_at stays.
    clock.advance(1000);
    await send('/v1/identity/my-agent/tools', { tools: ['read_file'] });
    assert.equal((await profile()).updated_at, withTools.updated_at);

    clock.advance(1000);
    await send('/v1/identity/my-agent/tools', { tools: ['read_file'], tool_descriptions: { read_file: 'Reads.' } });
    const described = await profile();
    assert.equal(described.updated_at, new Date(clock.now()).toISOString(), 'a changed manifest moves updated_at');

    clock.advance(1000);
    const voice = { fingerprint_hash: 'ab'.repeat(32), provider: 'acme', sample_count: 3 };
    await send('/v1/identity/my-agent/voice-fingerprint', voice);
    const withVoice = await profile();
    assert.notDeepEqual(withVoice.voice_fingerprint, described.voice_fingerprint);
    assert.equal(withVoice.updated_at, new Date(clock.now()).toISOString(), 'a voice fingerprint moves updated_at');

    // The same fingerprint again: nothing changed.
    clock.advance(1000);
    await send('/v1/identity/my-agent/voice-fingerprint', voice);
    assert.equal((await profile()).updated_at, withVoice.updated_at);

    // A new sample count shows on the profile: it moves.
    clock.advance(1000);
    await send('/v1/identity/my-agent/voice-fingerprint', { ...voice, sample_count: 4 });
    assert.equal((await profile()).updated_at, new Date(clock.now()).toISOString());
  } finally {
    await app.close();
  }
});

eachEngine('a lapsed domain proof that leaves the profile moves its updated_at', async ({ open }) => {
  const storage = await open();
  const { app, ctx, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'my-agent');
    const port = createAgentDomainPort(ctx);
    const profile = async (): Promise<Profile> =>
      (await app.inject({ method: 'GET', url: '/v1/identity/my-agent' })).json() as Profile;
    await port.recordDomainProof(agent.id, 'old.example', 'dns_txt', clock.now(), 'token-old');
    clock.advance(1000);
    await port.recordDomainProof(agent.id, 'new.example', 'dns_txt', clock.now(), 'token-new');
    const before = await profile();
    assert.equal(before.verified_domain, 'new.example');
    assert.deepEqual(before.verified_proofs.map((p) => p.value).sort(), ['new.example', 'old.example']);

    // The older proof is no longer found and past its grace: it lapses, and leaves verified_proofs; the verified
    // domain stays (it was the other one).
    clock.advance(1000);
    const claims = await port.claimDueDomainProofs({
      now: clock.now(),
      checkedBefore: clock.now(),
      leaseUntil: clock.now() + 60_000,
      limit: 10,
    });
    const old = claims.find((c) => c.domain === 'old.example');
    assert.ok(old);
    const result = await port.recordDomainRecheck(old, { found: false, failures: {} }, clock.now(), clock.now());
    assert.equal(result, 'lapsed');
    const after = await profile();
    assert.equal(after.verified_domain, 'new.example');
    assert.deepEqual(
      after.verified_proofs.map((p) => p.value),
      ['new.example'],
    );
    assert.equal(after.updated_at, new Date(clock.now()).toISOString(), 'a proof leaving the profile moves updated_at');
  } finally {
    await app.close();
  }
});
