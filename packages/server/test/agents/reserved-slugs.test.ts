import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReservedSlug, isSlug, RESERVED_SLUGS } from '../../src/modules/agents/slug.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { assertSlugRefused, bearer, codeOf, registerPow, registerSlug, TEST_ENV } from './helpers.ts';

// Names that read as the service or its operator, and path segments a slug shares a URL with.
const RESERVED = ['vouch', 'vouch-support', 'admin', 'api', 'verify', 'support', 'security', 'official', 'sig'];
const PATH_SEGMENTS = ['register', 'claim', 'report'];

test('reserved slugs: every listed name is a valid slug shape, and ordinary names are not reserved', () => {
  for (const s of RESERVED_SLUGS) assert.ok(isSlug(s), `${s} is a slug, so reserving it means something`);
  for (const s of [...RESERVED, ...PATH_SEGMENTS]) assert.ok(isReservedSlug(s), s);
  for (const s of ['my-agent', 'vouchy', 'admin-bot', 'official-acme', 'supporter', 'api-client', 'verifier']) {
    assert.ok(!isReservedSlug(s), s);
  }
});

eachEngine('a reserved slug is refused 400 SLUG_RESERVED on registration and on a slug change', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: TEST_ENV });
  try {
    const a = await registerPow(app);
    const before = await tableCounts(storage);
    for (const slug of [...RESERVED, ...PATH_SEGMENTS])
      await assertSlugRefused(app, clock, a, slug, 400, 'SLUG_RESERVED');
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    // The format is still checked first: a malformed name is SLUG_INVALID, whatever it spells.
    const malformed = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'Admin' } });
    assert.equal(codeOf(malformed), 'SLUG_INVALID');
    // Names that merely contain a reserved word are anyone's.
    assert.equal((await registerSlug(app, 'admin-bot')).slug, 'admin-bot');
  } finally {
    await app.close();
  }
});

eachEngine(
  'an agent that already holds a reserved slug keeps it, but cannot take it back once it lets go',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      // An agent registered before the list existed (the row is written as an old server would have).
      const legacy = await registerSlug(app, 'legacy-agent');
      await storage.db.updateTable('agents').set({ slug: 'support' }).where('id', '=', legacy.id).execute();
      const page = await app.inject({ method: 'GET', url: '/v1/identity/support' });
      assert.equal(page.statusCode, 200, page.body);
      assert.equal((page.json() as { did: string }).did, legacy.did);
      const put = (slug: string) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${legacy.did}/slug`,
          headers: bearer(legacy.managementToken),
          payload: { slug },
        });
      const again = await put('support');
      assert.equal(again.statusCode, 200, `taking the slug it holds stays idempotent: ${again.body}`);
      assert.equal((await put('legacy-agent')).statusCode, 200);
      const back = await put('support');
      assert.equal(back.statusCode, 400, back.body);
      assert.equal(codeOf(back), 'SLUG_RESERVED');
    } finally {
      await app.close();
    }
  },
);
