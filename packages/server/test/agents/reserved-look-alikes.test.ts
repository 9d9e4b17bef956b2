// Look-alikes of reserved slugs (slug.ts, slug-skeleton.ts): a slug that reads as a reserved one (`supp0rt`,
// `a-dmin`, `adrnin`, `v0uch-team`) is reserved too, 400 SLUG_RESERVED at registration and on a slug change, writing
// nothing; an agent that already holds one keeps it, as for a reserved slug itself. Ordinary names stay free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReservedSlug } from '../../src/modules/agents/slug.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { admin, assertSlugRefused, bearer, codeOf, registerPow, registerSlug, TEST_ENV } from './helpers.ts';

const ENV = { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '100000' };

/** Each reads as a reserved slug, or as a `vouch-…` one. */
const LOOK_ALIKES = [
  'supp0rt',
  'sup-p0rt',
  'sup-port',
  'adm-in',
  'a-dmin',
  'adrnin',
  'r00t',
  'he1p-desk',
  'n0reply',
  'tearn',
  'adm1n',
  'secur1ty',
  'v0uch',
  'vou-ch',
  'vouch1',
  'vouch0',
  'v0uch-support',
  'vou-ch-team',
];

/** Ordinary names, some beside a reserved word: none reads as one. */
const ORDINARY = [
  'my-agent',
  'vouchy',
  'voucher',
  'vouchsafe',
  'admin-bot',
  'supporter',
  'teams',
  'rooted',
  'api-client',
  'verifier',
  'he1per',
];

test('reserved slugs: a look-alike of a reserved slug is reserved, an ordinary name is not', () => {
  for (const s of LOOK_ALIKES) assert.ok(isReservedSlug(s), s);
  // v0ucher reads as voucher, an ordinary word (only another agent holding it would refuse it, SLUG_CONFUSABLE).
  for (const s of [...ORDINARY, 'v0ucher']) assert.ok(!isReservedSlug(s), s);
  // Path segments are reserved as written only: their look-alikes pose as no one (`agent-5` reads as `agents`).
  for (const s of ['agents', 'owners', 'claim']) assert.ok(isReservedSlug(s), s);
  for (const s of ['agent-5', 'token5', 'doc-5', 'ovvners', 'c1airn', 'agent-4', 'token-15']) {
    assert.ok(!isReservedSlug(s), s);
  }
});

eachEngine('a look-alike of a reserved slug is refused 400 SLUG_RESERVED and writes nothing', async ({ open }) => {
  const storage = await open();
  const { app, clock } = await makeApp(storage, { env: ENV });
  try {
    const a = await registerPow(app);
    const before = await tableCounts(storage);
    for (const slug of LOOK_ALIKES) await assertSlugRefused(app, clock, a, slug, 400, 'SLUG_RESERVED');
    assert.deepEqual(await tableCounts(storage), before, 'nothing written');
    const row = await storage.db.selectFrom('agents').select('slug').where('id', '=', a.id).executeTakeFirst();
    assert.equal(row?.slug, null, 'the refused changes left the agent without a slug');
    // Ordinary names are anyone's, by registration and by a slug change.
    for (const slug of ORDINARY) assert.equal((await registerSlug(app, slug)).slug, slug);
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/agents/${a.did}/slug`,
      headers: admin,
      payload: { slug: 'support-desk' },
    });
    assert.equal(put.statusCode, 200, put.body);
  } finally {
    await app.close();
  }
});

eachEngine(
  'an agent that already holds a look-alike of a reserved slug keeps it, and takes no other',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: ENV });
    try {
      // Registered before look-alikes were refused (the row is written as an old server would have).
      const legacy = await registerSlug(app, 'legacy-agent');
      await storage.db.updateTable('agents').set({ slug: 'supp0rt' }).where('id', '=', legacy.id).execute();
      const put = (slug: string) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${legacy.did}/slug`,
          headers: bearer(legacy.managementToken),
          payload: { slug },
        });
      const again = await put('supp0rt');
      assert.equal(again.statusCode, 200, `taking the slug it holds stays idempotent: ${again.body}`);
      // Holding one look-alike is no licence for another, nor for the reserved slug itself.
      for (const slug of ['sup-port', 'support']) {
        const other = await put(slug);
        assert.equal(other.statusCode, 400, `${slug}: ${other.body}`);
        assert.equal(codeOf(other), 'SLUG_RESERVED', slug);
      }
      assert.equal((await put('legacy-agent')).statusCode, 200);
      const back = await put('supp0rt');
      assert.equal(back.statusCode, 400, back.body);
      assert.equal(codeOf(back), 'SLUG_RESERVED');
    } finally {
      await app.close();
    }
  },
);
