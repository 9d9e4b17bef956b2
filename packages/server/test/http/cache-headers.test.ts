// Caching: no answer is kept by a cache or proxy unless its route says so. Answers that show a secret once (owner,
// integrator and capability keys and tokens, claim and management tokens) and refusals are `no-store`; the public
// documents that are meant to be cached keep their own policy. With a CORS origin list, every answer varies on
// Origin, allowed or not, so a shared cache never serves a copy made without CORS headers to an allowed origin.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, TEST_ADMIN_KEY } from '../helpers/app.ts';

const admin = { 'x-api-key': TEST_ADMIN_KEY };
const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };

function assertNoStore(name: string, res: LightMyRequestResponse, field?: string): void {
  assert.ok(field === undefined || res.body.includes(field), `${name} answers ${field}: ${res.statusCode} ${res.body}`);
  assert.equal(res.headers['cache-control'], 'no-store', name);
}

eachEngine('answers that show a secret, and refusals, are never stored by a cache', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    const owner = await app.inject({
      method: 'POST',
      url: '/api/v1/owners',
      headers: admin,
      payload: { name: 'O', handle: 'o1' },
    });
    assertNoStore('POST /api/v1/owners', owner, 'apiKey');
    const bearer = { authorization: `Bearer ${(owner.json() as { apiKey: string }).apiKey}` };
    const link = await app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers: bearer });
    assertNoStore('POST /api/v1/owners/linking-keys', link, 'linkingKey');
    const slug = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'cache-agent' } });
    assertNoStore('POST /v1/identity/register', slug, 'management_token');
    const key = await generateKeyPair('Ed25519');
    const pow = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey: key.publicKeyBase64, powNonce: '0' },
    });
    assertNoStore('POST /api/v1/agents/register', pow, 'claimToken');
    const integrator = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/integrators',
      headers: admin,
      payload: {
        slug: 'shop',
        name: 'Shop',
        domain: 'shop.example',
        metrics: [{ metricKey: 'ok', polarity: 'boost', weight: 1, lane: 'conduct' }],
      },
    });
    assertNoStore('POST /api/v1/admin/integrators', integrator, 'apiKey');
    const rotated = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/integrators/shop/rotate-key',
      headers: admin,
    });
    assertNoStore('POST /api/v1/admin/integrators/:slug/rotate-key', rotated, 'apiKey');
    const capability = await app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: admin,
      payload: {
        agentId: 'agent:partner:v1',
        resource: 'payments:invoices',
        action: 'read',
        tier: 'standard',
        expiresIn: 60,
      },
    });
    assertNoStore('POST /v1/tokens', capability, 'token');

    // Refusals too, from the policy hook, validation and the not-found handler.
    assertNoStore('401', await app.inject({ method: 'GET', url: '/api/v1/owners/me' }));
    assertNoStore('400', await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 1 } }));
    assertNoStore('404', await app.inject({ method: 'GET', url: '/api/v1/no-such-route' }));

    // What is meant to be cached keeps its own policy.
    const keys = await app.inject({ method: 'GET', url: '/.well-known/vouch-keys.json' });
    assert.equal(keys.headers['cache-control'], 'public, max-age=300');
  } finally {
    await app.close();
  }
});

eachEngine('with a CORS origin list, every answer varies on Origin, allowed or not', async ({ open }) => {
  const storage = await open();
  const listed = await makeApp(storage, { env: { ...ENV, VOUCH_CORS_ORIGINS: 'https://app.example' } });
  const { app } = listed;
  // Processes of one deployment share the KEK.
  const star = await makeApp(storage, { env: { ...ENV, VOUCH_CORS_ORIGINS: '*' }, kek: listed.kek });
  try {
    const url = '/.well-known/vouch-keys.json';
    const allowed = await app.inject({ method: 'GET', url, headers: { origin: 'https://app.example' } });
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(allowed.headers.vary, 'Origin');
    for (const headers of [{}, { origin: 'https://other.example' }]) {
      const res = await app.inject({ method: 'GET', url, headers });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'public, max-age=300');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.equal(res.headers.vary, 'Origin', JSON.stringify(headers));
    }
    // With `*` the answer is the same for every origin: no Vary needed.
    const any = await star.app.inject({ method: 'GET', url, headers: { origin: 'https://other.example' } });
    assert.equal(any.headers['access-control-allow-origin'], '*');
    assert.equal(any.headers.vary, undefined);
  } finally {
    await app.close();
    await star.app.close();
  }
});
