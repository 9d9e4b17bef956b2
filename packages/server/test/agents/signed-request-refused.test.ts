// A signed request that was refused for good (a state-dependent 4xx: the slug was taken, the agent was not allowed)
// is used up like one that acted: its transaction rolled back, so before, the same bytes could be sent again within
// the signing window and act once the state that refused them had changed (the slug freed). Refusals that do not say
// "this request, as signed, is refused" leave it usable: a body that does not match the signature (not the signed
// request at all: someone else's bytes), a rate limit or a server fault (answers that say retry).
import assert from 'node:assert/strict';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import type { Storage } from '../../src/storage/index.ts';
import { bearer, codeOf, registerPow, registerSlug, signedInject, TEST_ENV, unsentSlugPut } from './helpers.ts';

async function usedRequests(storage: Storage): Promise<number> {
  const row = await storage.db
    .selectFrom('agent_signed_requests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

eachEngine('a signed request refused 409 cannot act later when the state changes', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerPow(app);
    const holder = await registerSlug(app, 'wanted');
    const url = `/api/v1/agents/${agent.did}/slug`;
    const t0 = clock.now();
    const take = () => signedInject(app, agent.pair, agent.did, 'PUT', url, { slug: 'wanted' }, t0);

    const before = await tableCounts(storage);
    const usedBefore = await usedRequests(storage);
    const refused = await take();
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(codeOf(refused), 'SLUG_TAKEN');
    // Nothing the request asked for is written; only its used-request record.
    assert.deepEqual(await tableCounts(storage), before);
    assert.equal(await usedRequests(storage), usedBefore + 1);

    // The slug is freed; the same signed bytes come back within their window.
    const release = await app.inject({
      method: 'DELETE',
      url: `/api/v1/agents/${holder.did}/slug`,
      headers: bearer(holder.managementToken),
    });
    assert.equal(release.statusCode, 200, release.body);
    clock.advance(60_000);
    const replay = await take();
    assert.equal(replay.statusCode, 409, replay.body);
    assert.equal(codeOf(replay), 'REQUEST_REPLAYED');
    const profile = await app.inject({ method: 'GET', url: `/api/v1/agents/${agent.did}` });
    assert.equal((profile.json() as { slug?: string | null }).slug ?? null, null);

    // A freshly signed request takes it.
    const fresh = await signedInject(app, agent.pair, agent.did, 'PUT', url, { slug: 'wanted' }, clock.now());
    assert.equal(fresh.statusCode, 200, fresh.body);
  } finally {
    await app.close();
  }
});

eachEngine('a body that does not match the signature does not use the signed request up', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const { url, headers } = await unsentSlugPut(app, clock);
    const before = await usedRequests(storage);
    const forged = await app.inject({ method: 'PUT', url, headers, payload: { slug: 'other' } });
    assert.equal(forged.statusCode, 401, forged.body);
    assert.equal(await usedRequests(storage), before);
    const genuine = await app.inject({ method: 'PUT', url, headers, payload: { slug: 'mine' } });
    assert.equal(genuine.statusCode, 200, genuine.body);
    assert.equal((genuine.json() as { slug: string }).slug, 'mine');
  } finally {
    await app.close();
  }
});
