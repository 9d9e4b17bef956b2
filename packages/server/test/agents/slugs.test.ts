import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSignatureHash, isSlug } from '../../src/modules/agents/slug.ts';
import { isId, newId, idFromDid } from '../../src/modules/agents/ids.ts';
import { parseAgentRef } from '../../src/modules/agents/service.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import {
  admin,
  bearer,
  claimAgent,
  codeOf,
  createOwner,
  registerPow,
  registerSlug,
  signedInject,
  TEST_ENV,
} from './helpers.ts';

test('slug rules: ^[a-z][a-z0-9-]{1,38}[a-z0-9]$, never 26 characters, never a 64-hex hash', () => {
  for (const ok of ['abc', 'my-agent', 'a1', 'a-1', 'x'.repeat(40), 'a'.repeat(25), 'a'.repeat(27), 'a--b']) {
    if (ok.length < 3) continue;
    assert.ok(isSlug(ok), ok);
  }
  for (const bad of [
    '',
    'ab',
    'Abc',
    '1abc',
    '-abc',
    'abc-',
    'a_b',
    'a.b',
    'a b',
    'x'.repeat(41),
    'a'.repeat(26),
    'my-agent-with-26-character',
    'did:identity:abc',
    'ünicode',
  ]) {
    assert.ok(!isSlug(bad), JSON.stringify(bad));
  }
  assert.equal('my-agent-with-26-character'.length, 26);
  // Ids are 26 characters, hashes 64: neither can be a slug, whatever its letters.
  for (let i = 0; i < 200; i++) {
    const id = newId();
    assert.ok(isId(id) && !isSlug(id), id);
    assert.equal(idFromDid(`did:identity:${id}`), id);
  }
  const hash = 'ab'.repeat(32);
  assert.ok(isSignatureHash(hash));
  assert.ok(!isSlug(hash));
  assert.ok(!isSlug(`a${'0'.repeat(63)}`));
  assert.equal(parseAgentRef(hash), undefined, 'a hash names no agent');
  assert.deepEqual(parseAgentRef('my-agent'), { slug: 'my-agent' });
  assert.equal(parseAgentRef('did:identity:nope'), undefined);
});

eachEngine(
  'the full slug lifecycle: take, refuse taken, rename, release, re-take, owner, revoked keeps it',
  async ({ open }) => {
    const storage = await open();
    const { app, clock } = await makeApp(storage, { env: TEST_ENV });
    try {
      const a = await registerPow(app);
      const b = await registerSlug(app, 'taken-slug');
      // Each signed request is fresh (a new signedAt): the same signed request twice would be a replay.
      const put = (slug: string, url = `/api/v1/agents/${a.did}/slug`) => {
        clock.advance(1);
        return signedInject(app, a.pair, a.did, 'PUT', url, { slug }, clock.now());
      };

      // A DID agent takes a slug by its own signature; a taken or invalid slug is refused and writes nothing.
      const before = await tableCounts(storage);
      const taken = await put('taken-slug');
      assert.equal(taken.statusCode, 409);
      assert.equal(codeOf(taken), 'SLUG_TAKEN');
      for (const bad of ['Agent-A', 'a'.repeat(26), 'ab', 'ab'.repeat(32)]) {
        const res = await put(bad);
        assert.equal(res.statusCode, 400, bad);
        assert.equal(codeOf(res), 'SLUG_INVALID');
      }
      assert.deepEqual(await tableCounts(storage), before);

      const took = await put('agent-a');
      assert.equal(took.statusCode, 200, took.body);
      assert.deepEqual(took.json(), { did: a.did, slug: 'agent-a', public_url: 'https://vouch.test/verify/agent-a' });
      const byslug = (await app.inject({ method: 'GET', url: '/v1/identity/agent-a' })).json() as { did: string };
      assert.equal(byslug.did, a.did);
      // Every route that takes an agent accepts its DID, internal id or slug.
      for (const ref of [a.did, a.id, 'agent-a']) {
        const res = await app.inject({ method: 'GET', url: `/v1/identity/${ref}` });
        assert.equal((res.json() as { did: string }).did, a.did, ref);
      }
      assert.equal((await put('agent-a')).statusCode, 200, 'taking the slug it has is idempotent');

      // Rename: the old slug is free at once; B (by its management token) takes it.
      assert.equal((await put('agent-a2')).statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/v1/identity/agent-a' })).statusCode, 404);
      const bTakes = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/taken-slug/slug`,
        headers: bearer(b.managementToken),
        payload: { slug: 'agent-a' },
      });
      assert.equal(bTakes.statusCode, 200, bTakes.body);
      assert.equal(
        ((await app.inject({ method: 'GET', url: '/v1/identity/agent-a' })).json() as { did: string }).did,
        b.did,
      );

      // B's token cannot touch A.
      const notYours = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${a.did}/slug`,
        headers: bearer(b.managementToken),
        payload: { slug: 'stolen' },
      });
      assert.equal(notYours.statusCode, 403);
      assert.equal(codeOf(notYours), 'FORBIDDEN');

      // Release, then the slug is anyone's.
      const released = await signedInject(
        app,
        a.pair,
        a.did,
        'DELETE',
        `/api/v1/agents/${a.did}/slug`,
        undefined,
        clock.now(),
      );
      assert.equal(released.statusCode, 200, released.body);
      assert.deepEqual(released.json(), { did: a.did, slug: null, released: 'agent-a2' });
      assert.equal((await app.inject({ method: 'GET', url: '/v1/identity/agent-a2' })).statusCode, 404);
      const c = await registerSlug(app, 'agent-a2');
      assert.equal(c.slug, 'agent-a2');

      // The owner may set its agent's slug; another owner may not.
      const owner = await createOwner(app, 'acme');
      const other = await createOwner(app, 'other');
      await claimAgent(app, owner, a.claimToken);
      const byOther = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${a.id}/slug`,
        headers: bearer(other.apiKey),
        payload: { slug: 'owned-slug' },
      });
      assert.equal(byOther.statusCode, 403);
      const byOwner = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${a.id}/slug`,
        headers: bearer(owner.apiKey),
        payload: { slug: 'owned-slug' },
      });
      assert.equal(byOwner.statusCode, 200);

      // A revoked agent keeps its slug (its page says revoked), cannot change it, and nobody else can take it.
      const revoked = await app.inject({ method: 'POST', url: `/api/v1/agents/owned-slug/revoke`, headers: admin });
      assert.equal(revoked.statusCode, 200);
      const change = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${a.id}/slug`,
        headers: bearer(owner.apiKey),
        payload: { slug: 'new-slug' },
      });
      assert.equal(change.statusCode, 403);
      assert.equal(codeOf(change), 'AGENT_REVOKED');
      const release = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${a.id}/slug`, headers: admin });
      assert.equal(codeOf(release), 'AGENT_REVOKED');
      const squat = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${c.did}/slug`,
        headers: bearer(c.managementToken),
        payload: { slug: 'owned-slug' },
      });
      assert.equal(squat.statusCode, 409);
      assert.equal(codeOf(squat), 'SLUG_TAKEN');
      const page = (await app.inject({ method: 'GET', url: '/v1/identity/owned-slug' })).json() as { status: string };
      assert.equal(page.status, 'revoked');
    } finally {
      await app.close();
    }
  },
);

eachEngine('concurrent takes of one slug by two agents in two processes: exactly one wins', async ({ open }) => {
  const s1 = await open();
  const s2 = await open();
  const a = await makeApp(s1, { env: TEST_ENV });
  const b = await makeApp(s2, { env: TEST_ENV, kek: a.kek }); // processes of one deployment share the KEK
  try {
    const x = await registerSlug(a.app, 'agent-x');
    const y = await registerSlug(a.app, 'agent-y');
    for (const slug of ['contested-1', 'contested-2', 'contested-3']) {
      const results = await Promise.all([
        a.app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${x.did}/slug`,
          headers: bearer(x.managementToken),
          payload: { slug },
        }),
        b.app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${y.did}/slug`,
          headers: bearer(y.managementToken),
          payload: { slug },
        }),
      ]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409], results.map((r) => r.body).join(' | '));
      // Put the winner back on its own slug for the next round.
      const winner = results[0]!.statusCode === 200 ? x : y;
      await a.app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${winner.did}/slug`,
        headers: bearer(winner.managementToken),
        payload: { slug: winner.slug },
      });
    }
  } finally {
    await a.app.close();
    await b.app.close();
  }
});
