import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import {
  admin,
  bearer,
  claimAgent,
  createOwner,
  newPair,
  registerPow,
  registerSlug,
  signedHeaders,
  TEST_ENV,
} from './helpers.ts';
import { rotationStatement } from '../../src/modules/agents/auth.ts';
import { signText } from './helpers.ts';

interface Attempt {
  what: string;
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  payload?: object;
  headers: Record<string, string>;
  status: 401 | 403;
}

eachEngine('every mutation without the right credential is 401 or 403 and changes nothing', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    // Two of everything: the target's and someone else's.
    const owner = await createOwner(app, 'owner');
    const otherOwner = await createOwner(app, 'other');
    const target = await registerPow(app);
    await claimAgent(app, owner, target.claimToken);
    await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${target.did}/slug`,
      headers: admin,
      payload: { slug: 'target' },
    });
    const other = await registerPow(app);
    const slugAgent = await registerSlug(app, 'slug-agent');
    const otherSlug = await registerSlug(app, 'other-slug');
    const pending = await registerPow(app); // unclaimed, its claim token unused
    const now = clock.now();
    const next = await newPair();
    const rotation = {
      newPublicKey: next.publicKeyBase64!,
      newKeySignature: await signText(
        next,
        rotationStatement(target.did, target.pair.publicKeyBase64!, next.publicKeyBase64!, now),
      ),
    };

    const wrong: Array<[string, Record<string, string>]> = [
      ['no credentials', {}],
      ['a wrong admin key', { 'x-api-key': 'wrong-admin-key-0123456789' }],
      ['a made-up bearer', bearer('vouch_owner_made-up')],
      ['a made-up management token', bearer('vouch_mgmt_made-up')],
      ['a claim token as bearer', bearer(pending.claimToken!)],
    ];
    const attempts: Attempt[] = [];
    const all = (method: Attempt['method'], url: string, payload: object | undefined, others: Attempt[]) => {
      for (const [what, headers] of wrong) attempts.push({ what, method, url, payload, headers, status: 401 });
      attempts.push(...others.map((o) => ({ ...o, method, url, payload })));
    };
    const forbidden = (what: string, headers: Record<string, string>): Attempt =>
      ({ what, headers, status: 403 }) as Attempt;
    const unauthorized = (what: string, headers: Record<string, string>): Attempt =>
      ({ what, headers, status: 401 }) as Attempt;

    all('POST', '/api/v1/owners', { name: 'X', handle: 'x-owner' }, [
      unauthorized('an owner key', bearer(owner.apiKey)),
      unauthorized('a management token', bearer(slugAgent.managementToken)),
    ]);
    all('POST', '/api/v1/owners/linking-keys', undefined, [
      unauthorized('the admin', admin),
      unauthorized('a management token', bearer(slugAgent.managementToken)),
    ]);
    all('POST', '/api/v1/agents/claim', { claimToken: pending.claimToken }, [
      unauthorized('the admin', admin),
      unauthorized('a management token', bearer(slugAgent.managementToken)),
    ]);
    for (const [method, url, payload] of [
      ['PUT', `/api/v1/agents/${target.did}/slug`, { slug: 'stolen' }],
      ['DELETE', `/api/v1/agents/${target.did}/slug`, undefined],
      ['POST', `/api/v1/agents/${target.did}/revoke`, { reason: 'x' }],
      ['POST', '/v1/identity/target/tools', { tools: ['a'] }],
      [
        'POST',
        '/v1/identity/target/voice-fingerprint',
        { fingerprint_hash: 'ab'.repeat(32), provider: 'p', sample_count: 3 },
      ],
    ] as const) {
      all(method, url, payload, [
        forbidden("another owner's key", bearer(otherOwner.apiKey)),
        forbidden("another agent's management token", bearer(otherSlug.managementToken)),
        forbidden("another agent's signature", await signedHeaders(other.pair, other.did, method, url, payload, now)),
      ]);
    }
    for (const [method, url, payload] of [
      ['POST', '/v1/identity/slug-agent/tools', { tools: ['a'] }],
      ['POST', `/api/v1/agents/slug-agent/revoke`, undefined],
    ] as const) {
      all(method, url, payload, [
        forbidden("another agent's management token", bearer(otherSlug.managementToken)),
        forbidden('an owner of other agents', bearer(owner.apiKey)),
      ]);
    }
    const rotateUrl = `/api/v1/agents/${target.did}/rotate-key`;
    all('POST', rotateUrl, rotation, [
      unauthorized('the admin', admin),
      unauthorized('its owner', bearer(owner.apiKey)),
      unauthorized('a management token', bearer(slugAgent.managementToken)),
      forbidden(
        "another agent's signature",
        await signedHeaders(other.pair, other.did, 'POST', rotateUrl, rotation, now),
      ),
      unauthorized('its own key over another body', {
        ...(await signedHeaders(target.pair, target.did, 'POST', rotateUrl, { ...rotation, newPublicKey: 'x' }, now)),
      }),
    ]);

    const before = await tableCounts(storage);
    assert.ok(before.agents! >= 4 && before.owners === 2);
    for (const a of attempts) {
      const res: LightMyRequestResponse = await app.inject({
        method: a.method,
        url: a.url,
        headers: a.headers,
        ...(a.payload === undefined ? {} : { payload: a.payload }),
      });
      assert.equal(res.statusCode, a.status, `${a.method} ${a.url} with ${a.what}: ${res.body}`);
      const code = (res.json() as { code: string }).code;
      assert.equal(code, a.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', `${a.method} ${a.url} with ${a.what}`);
    }
    assert.ok(attempts.length > 60, `${attempts.length} attempts`);
    assert.deepEqual(await tableCounts(storage), before, 'no refused request wrote anything');
    const row = await storage.db.selectFrom('agents').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
    assert.equal(row.slug, 'target');
    assert.equal(row.status, 'claimed');
    assert.equal(row.public_key, target.pair.publicKeyBase64);
  } finally {
    await app.close();
  }
});
