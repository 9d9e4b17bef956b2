import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { listAudit } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { solvePow } from '@vouch/sdk';
import { admin, bearer, codeOf, createOwner, newPair, registerPow, registerSlug, TEST_ENV } from './helpers.ts';
import { LINKING_KEY_TTL_MS } from '../../src/modules/agents/routes-identity-app.ts';

eachEngine(
  'owners: created by the admin (audited, key shown once and stored hashed), handles unique',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const owner = await createOwner(app, 'acme', 'Acme Robotics');
      assert.match(owner.ownerId, /^[a-z2-7]{26}$/);
      assert.match(owner.apiKey, /^vouch_owner_[A-Za-z0-9_-]{43}$/);
      assert.equal(owner.name, 'Acme Robotics');
      const keys = await storage.db.selectFrom('owner_api_keys').selectAll().execute();
      assert.equal(keys[0]!.key_hash, createHash('sha256').update(owner.apiKey).digest('hex'));

      const [entry] = await listAudit(storage.db, { action: 'owner.create' });
      assert.equal(entry!.actor, 'admin');
      assert.equal(entry!.target, owner.ownerId);
      assert.deepEqual(entry!.details, { handle: 'acme' });
      assert.ok(!JSON.stringify(entry).includes(owner.apiKey));

      const before = await tableCounts(storage);
      const dup = await app.inject({
        method: 'POST',
        url: '/api/v1/owners',
        headers: admin,
        payload: { name: 'Other', handle: 'acme' },
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(codeOf(dup), 'HANDLE_TAKEN');
      for (const handle of ['Acme', '-acme', 'acme-', 'a b', '']) {
        const bad = await app.inject({
          method: 'POST',
          url: '/api/v1/owners',
          headers: admin,
          payload: { name: 'X', handle },
        });
        assert.equal(bad.statusCode, 400, handle);
      }
      const notAdmin = await app.inject({
        method: 'POST',
        url: '/api/v1/owners',
        headers: bearer(owner.apiKey),
        payload: { name: 'X', handle: 'xyz' },
      });
      assert.equal(notAdmin.statusCode, 401);
      assert.deepEqual(await tableCounts(storage), before, 'the audit entry was written with the owner, and only then');

      const me = await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: bearer(owner.apiKey) });
      assert.deepEqual(me.json(), {
        ownerId: owner.ownerId,
        name: 'Acme Robotics',
        handle: 'acme',
        agents: [],
        next: null,
      });
    } finally {
      await app.close();
    }
  },
);

eachEngine('linking keys: registering with one links the agent at once; single use; expire', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const owner = await createOwner(app, 'acme');
    const mint = async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/owners/linking-keys',
        headers: bearer(owner.apiKey),
      });
      assert.equal(res.statusCode, 201);
      return res.json() as { linkingKey: string; expiresAt: number; ownerId: string };
    };
    const { linkingKey, expiresAt } = await mint();
    assert.match(linkingKey, /^vouch_link_[A-Za-z0-9_-]{43}$/);
    assert.equal(expiresAt, clock.now() + LINKING_KEY_TTL_MS);

    const agent = await registerPow(app, { linkingKey, label: 'linked-bot' });
    assert.equal(agent.linked, true);
    assert.equal(agent.claimToken, undefined, 'no claim token when linked');
    const me = (
      await app.inject({ method: 'GET', url: '/api/v1/owners/me', headers: bearer(owner.apiKey) })
    ).json() as {
      agents: Array<{ did: string; status: string }>;
    };
    assert.deepEqual(me.agents, [{ did: agent.did, slug: null, name: 'linked-bot', status: 'claimed' }]);

    // Used once: a second registration with it is refused and writes nothing.
    const before = await tableCounts(storage);
    const fresh = (await newPair()).publicKeyBase64!;
    const { nonce } = await solvePow(fresh, { difficulty: 1 });
    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/agents/register',
      payload: { publicKey: fresh, powNonce: nonce, linkingKey },
    });
    assert.equal(second.statusCode, 409);
    assert.equal(codeOf(second), 'TOKEN_USED');
    const reused = await app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      payload: { slug: 'late-agent', linking_key: linkingKey },
    });
    assert.equal(reused.statusCode, 409);
    assert.equal(codeOf(reused), 'TOKEN_USED');
    assert.deepEqual(await tableCounts(storage), before);

    // Treeship registration can use a fresh linking key too.
    const k2 = await mint();
    const slugAgent = await registerSlug(app, 'linked-slug', { linking_key: k2.linkingKey });
    assert.equal(slugAgent.body.linked, true);
    assert.equal(slugAgent.body.claim_token, undefined);
    assert.equal(slugAgent.body.identity_score, 15, 'registration 10 + claimed 5');

    // An expired key is refused.
    const k3 = await mint();
    clock.advance(LINKING_KEY_TTL_MS);
    const expired = await app.inject({
      method: 'POST',
      url: '/v1/identity/register',
      payload: { slug: 'too-late', linking_key: k3.linkingKey },
    });
    assert.equal(expired.statusCode, 400);
    assert.equal(codeOf(expired), 'TOKEN_INVALID');
  } finally {
    await app.close();
  }
});

eachEngine(
  'claim tokens: an owner claims once; reuse, other owners and unknown tokens are refused',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const alice = await createOwner(app, 'alice');
      const bob = await createOwner(app, 'bob');
      const agent = await registerPow(app);
      const claim = (apiKey: string, claimToken: string) =>
        app.inject({ method: 'POST', url: '/api/v1/agents/claim', headers: bearer(apiKey), payload: { claimToken } });

      const ok = await claim(alice.apiKey, agent.claimToken!);
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json(), { did: agent.did, ownerId: alice.ownerId, status: 'claimed', linked: true });
      const profile = (await app.inject({ method: 'GET', url: `/v1/identity/${agent.did}` })).json() as {
        status: string;
        owner: unknown;
        verified_proofs: unknown[];
      };
      assert.equal(profile.status, 'claimed');
      assert.deepEqual(profile.owner, { name: 'Owner alice', handle: 'alice' });
      assert.deepEqual(profile.verified_proofs, [
        { type: 'owner', value: 'alice', verified_at: '2026-01-01T00:00:00.000Z' },
      ]);

      const before = await tableCounts(storage);
      const again = await claim(bob.apiKey, agent.claimToken!);
      assert.equal(again.statusCode, 409);
      assert.equal(codeOf(again), 'TOKEN_USED');
      const unknown = await claim(bob.apiKey, 'vouch_claim_unknown');
      assert.equal(unknown.statusCode, 400);
      assert.equal(codeOf(unknown), 'TOKEN_INVALID');
      const noOwner = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/claim',
        payload: { claimToken: agent.claimToken },
      });
      assert.equal(noOwner.statusCode, 401);
      assert.deepEqual(await tableCounts(storage), before);
    } finally {
      await app.close();
    }
  },
);

eachEngine(
  'concurrent claims of one token, from two processes: exactly one wins',
  async ({ open }) => {
    const s1 = await open();
    const s2 = await open();
    const a = await makeApp(s1, { env: TEST_ENV });
    const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek }); // processes of one deployment share the KEK
    try {
      const owners = [
        await createOwner(a.app, 'one'),
        await createOwner(a.app, 'two'),
        await createOwner(a.app, 'three'),
      ];
      for (let round = 0; round < 3; round++) {
        const agent = await registerPow(a.app);
        const results = await Promise.all(
          owners.map((o, i) =>
            (i % 2 === 0 ? a.app : b.app).inject({
              method: 'POST',
              url: '/api/v1/agents/claim',
              headers: bearer(o.apiKey),
              payload: { claimToken: agent.claimToken },
            }),
          ),
        );
        const codes = results.map((r) => r.statusCode).sort();
        assert.deepEqual(codes, [200, 409, 409], results.map((r) => r.body).join(' | '));
        const winner = results.find((r) => r.statusCode === 200)!.json() as { ownerId: string };
        const row = await s1.db.selectFrom('agents').selectAll().where('id', '=', agent.id).executeTakeFirstOrThrow();
        assert.equal(row.owner_id, winner.ownerId);
        assert.equal(row.status, 'claimed');
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
  },
  { timeout: 60_000 },
);

eachEngine('concurrent registrations with one linking key: exactly one is linked', async ({ open }) => {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: TEST_ENV });
  const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek }); // processes of one deployment share the KEK
  try {
    const owner = await createOwner(a.app, 'acme');
    const { linkingKey } = (
      await a.app.inject({ method: 'POST', url: '/api/v1/owners/linking-keys', headers: bearer(owner.apiKey) })
    ).json() as { linkingKey: string };
    const results = await Promise.all(
      ['race-one', 'race-two', 'race-three', 'race-four'].map((slug, i) =>
        (i % 2 === 0 ? a.app : b.app).inject({
          method: 'POST',
          url: '/v1/identity/register',
          payload: { slug, linking_key: linkingKey },
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.statusCode).sort(),
      [201, 409, 409, 409],
      results.map((r) => r.body).join(' | '),
    );
    const agents = await s1.db.selectFrom('agents').select(['slug', 'owner_id']).execute();
    assert.equal(agents.length, 1, 'the losers wrote nothing');
    assert.equal(agents[0]!.owner_id, owner.ownerId);
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
