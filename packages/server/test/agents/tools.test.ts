import assert from 'node:assert/strict';
import { canonicalize, decodeBase64, encodeUtf8, getDefaultCrypto, parsePublicKey, sha256HexSync } from '@vouch/sdk';
import type { FastifyInstance } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin, bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

interface Manifest {
  agent_slug: string | null;
  did: string;
  tool_manifest_hash: string;
  tools: string[];
  tool_descriptions: Record<string, string>;
  signature: string;
  signature_alg: string;
  signature_kid: string;
  updated_at: string;
}

interface Jwks {
  keys: Array<Record<string, string>>;
}

/** What a third party does: fetch the server's keys, pick the kid, rebuild the statement, verify with the SDK. */
async function verifyManifest(app: FastifyInstance, m: Manifest): Promise<boolean> {
  const jwks = (await app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).json() as Jwks;
  const jwk = jwks.keys.find((k) => k.kid === m.signature_kid);
  assert.ok(jwk, 'the signing key is published');
  assert.equal(jwk.purpose, 'tool-manifest');
  const key = parsePublicKey({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
  const statement = {
    type: 'vouch-tool-manifest-v1',
    did: m.did,
    slug: m.agent_slug,
    tool_manifest_hash: m.tool_manifest_hash,
    updated_at: m.updated_at,
  };
  return getDefaultCrypto().verify('EdDSA', key, decodeBase64(m.signature), encodeUtf8(canonicalize(statement)));
}

eachEngine(
  'tool manifest: sorted, de-duplicated, hashed with RFC 8785, signed by a published server key',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const agent = await registerSlug(app, 'my-agent');
      const descriptions = { send_email: 'Send email to approved domains only', search_web: 'Search public web only' };
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/my-agent/tools',
        headers: bearer(agent.managementToken),
        payload: {
          tools: ['send_email', 'read_file', 'write_file', 'search_web', 'read_file'],
          tool_descriptions: descriptions,
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      const m = res.json() as Manifest;
      assert.deepEqual(m.tools, ['read_file', 'search_web', 'send_email', 'write_file']);
      assert.equal(m.agent_slug, 'my-agent');
      assert.equal(m.did, agent.did);
      assert.equal(m.updated_at, new Date(clock.now()).toISOString());
      assert.equal(
        m.tool_manifest_hash,
        sha256HexSync(canonicalize({ tools: m.tools, tool_descriptions: descriptions })),
      );
      assert.equal(m.signature_alg, 'EdDSA');
      assert.ok(await verifyManifest(app, m), 'the signature verifies with the published key');
      assert.ok(!(await verifyManifest(app, { ...m, tool_manifest_hash: '0'.repeat(64) })), 'and only for this hash');

      const jwks = (await app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' })).json() as Jwks;
      for (const k of jwks.keys) {
        assert.deepEqual(Object.keys(k).sort(), [
          'alg',
          'created_at',
          'crv',
          'kid',
          'kty',
          'purpose',
          'status',
          'use',
          'x',
        ]);
        assert.equal(k.kty, 'OKP');
        assert.equal(k.alg, 'EdDSA');
        assert.equal(k.status, 'active');
      }

      const got = await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}/tools` });
      assert.deepEqual(got.json(), m, 'GET returns what POST returned');
      const profile = (await app.inject({ method: 'GET', url: '/v1/identity/my-agent' })).json() as Record<
        string,
        unknown
      >;
      assert.equal(profile.tool_manifest_hash, m.tool_manifest_hash);
      assert.deepEqual(profile.tools, m.tools);
      assert.equal(profile.identity_score, 25, 'registration 10 + tool manifest 15');

      // Without descriptions, the hash covers `tool_descriptions: {}`.
      clock.advance(60_000);
      const bare = (
        await app.inject({
          method: 'POST',
          url: '/v1/identity/my-agent/tools',
          headers: admin,
          payload: { tools: ['b', 'a'] },
        })
      ).json() as Manifest;
      assert.equal(bare.tool_manifest_hash, sha256HexSync('{"tool_descriptions":{},"tools":["a","b"]}'));
      assert.ok(await verifyManifest(app, bare));

      // A slug change re-signs the manifest, whose statement names the slug, at the change's time: the manifest
      // served changed, and so does its updated_at.
      clock.advance(60_000);
      const renamed = await app.inject({
        method: 'PUT',
        url: '/api/v1/agents/my-agent/slug',
        headers: bearer(agent.managementToken),
        payload: { slug: 'renamed-agent' },
      });
      assert.equal(renamed.statusCode, 200);
      const after = (await app.inject({ method: 'GET', url: '/v1/identity/renamed-agent/tools' })).json() as Manifest;
      assert.equal(after.agent_slug, 'renamed-agent');
      assert.equal(after.updated_at, new Date(clock.now()).toISOString());
      assert.ok(await verifyManifest(app, after));

      // Refusals write nothing.
      const before = await tableCounts(storage);
      for (const [payload, code] of [
        [{ tools: ['a'], tool_descriptions: { b: 'not a listed tool' } }, 'VALIDATION_FAILED'],
        [{ tools: ['bad name'] }, 'VALIDATION_FAILED'],
        [{ tools: ['<script>'] }, 'VALIDATION_FAILED'],
        [{ tools: 'read_file' }, 'VALIDATION_FAILED'],
        [{ tools: [1] }, 'VALIDATION_FAILED'],
      ] as const) {
        const bad = await app.inject({
          method: 'POST',
          url: '/v1/identity/renamed-agent/tools',
          headers: bearer(agent.managementToken),
          payload,
        });
        assert.equal(bad.statusCode, 400, JSON.stringify(payload));
        assert.equal(codeOf(bad), code);
      }
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await app.close();
    }
  },
);

eachEngine('verify-tools: tools_used as repeated query parameters or a JSON body', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'my-agent');
    const none = await app.inject({ method: 'POST', url: '/v1/identity/my-agent/verify-tools?tools_used=read_file' });
    assert.equal(none.statusCode, 404, 'no manifest yet');
    const set = (
      await app.inject({
        method: 'POST',
        url: '/v1/identity/my-agent/tools',
        headers: bearer(agent.managementToken),
        payload: { tools: ['read_file', 'send_email', 'search_web'] },
      })
    ).json() as Manifest;

    const before = await tableCounts(storage);
    const q = await app.inject({
      method: 'POST',
      url: '/v1/identity/my-agent/verify-tools?tools_used=read_file&tools_used=send_email',
    });
    assert.equal(q.statusCode, 200, q.body);
    assert.deepEqual(q.json(), {
      verified: true,
      authorized_tools: ['read_file', 'send_email'],
      unauthorized_tools: [],
      manifest_hash: set.tool_manifest_hash,
    });
    const one = await app.inject({
      method: 'POST',
      url: `/v1/identity/${agent.did}/verify-tools?tools_used=read_file`,
    });
    assert.equal((one.json() as { verified: boolean }).verified, true, 'a single query value');
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/identity/my-agent/verify-tools?tools_used=read_file&tools_used=delete_database',
    });
    assert.deepEqual(bad.json(), {
      verified: false,
      authorized_tools: ['read_file'],
      unauthorized_tools: ['delete_database'],
      manifest_hash: set.tool_manifest_hash,
    });
    const body = await app.inject({
      method: 'POST',
      url: '/v1/identity/my-agent/verify-tools',
      payload: { tools_used: ['search_web', 'delete_database', 'search_web'] },
    });
    assert.deepEqual(body.json(), {
      verified: false,
      authorized_tools: ['search_web'],
      unauthorized_tools: ['delete_database'],
      manifest_hash: set.tool_manifest_hash,
    });
    const both = await app.inject({
      method: 'POST',
      url: '/v1/identity/my-agent/verify-tools?tools_used=read_file',
      payload: { tools_used: ['send_email'] },
    });
    assert.deepEqual((both.json() as { authorized_tools: string[] }).authorized_tools, ['read_file', 'send_email']);
    for (const [url, payload] of [
      ['/v1/identity/my-agent/verify-tools', undefined],
      ['/v1/identity/my-agent/verify-tools', { tools_used: [] }],
      ['/v1/identity/my-agent/verify-tools', { tools_used: 'read_file' }],
      ['/v1/identity/my-agent/verify-tools?other=1', undefined],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
    }
    const unknown = await app.inject({ method: 'POST', url: '/v1/identity/no-such-agent/verify-tools?tools_used=a' });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(await tableCounts(storage), before, 'verification reads only');

    // A revoked agent's tools verify as false, with the code.
    await app.inject({ method: 'POST', url: '/api/v1/agents/my-agent/revoke', headers: admin });
    const revoked = await app.inject({
      method: 'POST',
      url: '/v1/identity/my-agent/verify-tools?tools_used=read_file',
    });
    assert.deepEqual(revoked.json(), {
      verified: false,
      authorized_tools: ['read_file'],
      unauthorized_tools: [],
      manifest_hash: set.tool_manifest_hash,
      error: 'This agent has been revoked.',
      code: 'AGENT_REVOKED',
    });
  } finally {
    await app.close();
  }
});

eachEngine(
  'tool-manifest key rotation: the next manifest is signed by the new key, the old one still verifies',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const agent = await registerSlug(app, 'rotating-agent');
      const publish = async (tools: string[]) => {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/identity/rotating-agent/tools',
          headers: bearer(agent.managementToken),
          payload: { tools },
        });
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as Manifest;
      };
      const first = await publish(['read_file']);
      const rotated = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/keys/rotate',
        headers: admin,
        payload: { purpose: 'tool-manifest' },
      });
      assert.equal(rotated.statusCode, 201, rotated.body);
      assert.deepEqual(rotated.json().retired, [first.signature_kid]);
      const second = await publish(['read_file', 'search_web']);
      assert.equal(second.signature_kid, rotated.json().kid);
      assert.notEqual(second.signature_kid, first.signature_kid);
      assert.ok(await verifyManifest(app, first), 'the manifest signed before the rotation still verifies');
      assert.ok(await verifyManifest(app, second));
    } finally {
      await app.close();
    }
  },
);
