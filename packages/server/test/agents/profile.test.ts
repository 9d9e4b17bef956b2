import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, claimAgent, createOwner, registerSlug, TEST_ENV } from './helpers.ts';
import type { SlugAgent } from './helpers.ts';
import type { FastifyInstance } from 'fastify';

interface Profile {
  slug: string;
  did: string;
  owner: { name: string; handle: string } | null;
  tools: string[];
  tool_manifest_hash: string | null;
  voice_fingerprint: { provider: string; sample_count: number } | null;
}

async function claimBy(app: FastifyInstance, agent: SlugAgent, handle: string, name: string): Promise<void> {
  await claimAgent(app, await createOwner(app, handle, name), agent.body.claim_token);
}

async function setTools(app: FastifyInstance, agent: SlugAgent, tools: string[]): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/identity/${agent.slug}/tools`,
    headers: bearer(agent.managementToken),
    payload: { tools },
  });
  assert.equal(res.statusCode, 200, res.body);
}

async function enrollVoice(app: FastifyInstance, agent: SlugAgent, provider: string, samples: number): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: `/v1/identity/${agent.slug}/voice-fingerprint`,
    headers: bearer(agent.managementToken),
    payload: { fingerprint_hash: 'cd'.repeat(32), provider, sample_count: samples },
  });
  assert.equal(res.statusCode, 200, res.body);
}

// The profile read takes each agent's owner, manifest and voice fingerprint by its own keys: two agents with
// different ones, and one with none, must each get exactly their own, whether read by slug or by DID.
eachEngine('a profile shows its own owner, tools and voice fingerprint, by slug and by DID', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const first = await registerSlug(app, 'first-agent');
    const second = await registerSlug(app, 'second-agent');
    const bare = await registerSlug(app, 'bare-agent');
    await claimBy(app, first, 'acme', 'Acme Robotics');
    await claimBy(app, second, 'globex', 'Globex');
    await setTools(app, first, ['read_file', 'write_file']);
    await setTools(app, second, ['search']);
    await enrollVoice(app, first, 'elevenlabs', 3);
    await enrollVoice(app, second, 'resemble', 7);

    const expected: Array<[SlugAgent, Omit<Profile, 'slug' | 'did' | 'tool_manifest_hash'>]> = [
      [
        first,
        {
          owner: { name: 'Acme Robotics', handle: 'acme' },
          tools: ['read_file', 'write_file'],
          voice_fingerprint: { provider: 'elevenlabs', sample_count: 3 },
        },
      ],
      [
        second,
        {
          owner: { name: 'Globex', handle: 'globex' },
          tools: ['search'],
          voice_fingerprint: { provider: 'resemble', sample_count: 7 },
        },
      ],
      [bare, { owner: null, tools: [], voice_fingerprint: null }],
    ];
    const hashes = new Set<string | null>();
    for (const [agent, want] of expected) {
      for (const ref of [agent.slug, agent.did]) {
        const res = await app.inject({ method: 'GET', url: `/v1/identity/${encodeURIComponent(ref)}` });
        assert.equal(res.statusCode, 200, res.body);
        const p = res.json() as Profile;
        assert.equal(p.slug, agent.slug);
        assert.equal(p.did, agent.did);
        assert.deepEqual(
          { owner: p.owner, tools: p.tools, voice_fingerprint: p.voice_fingerprint },
          want,
          `${agent.slug} read by ${ref}`,
        );
        assert.equal(p.tool_manifest_hash === null, want.tools.length === 0);
        hashes.add(p.tool_manifest_hash);
      }
    }
    // Each agent's manifest hash is its own: two distinct hashes and the bare agent's null.
    assert.equal(hashes.size, 3);
    const missing = await app.inject({ method: 'GET', url: '/v1/identity/no-such-agent' });
    assert.equal(missing.statusCode, 404);
  } finally {
    await app.close();
    await storage.close();
  }
});
