// Migration 0018 on a database that already holds look-alike slugs (registered before they were refused): it
// succeeds, the oldest holder of each skeleton gets it stored (and so indexed), later look-alikes keep their slugs
// with a NULL skeleton, and new look-alikes of either are refused from then on (after 0019 moves the readings to
// slug_skeletons, keeping what 0018 stored).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { slugSkeletonColumn } from '../../src/storage/migrations/0018_slug_skeleton.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { rewindTo0019 } from '../helpers/capability-token-digest.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from '../agents/helpers.ts';

eachEngine(
  'migration 0018 backfills skeletons over existing look-alike pairs without failing',
  async ({ open, engine }) => {
    const storage = await open();
    const t = await makeApp(storage, { env: TEST_ENV });
    const ids: Record<string, string> = {};
    const tokens: Record<string, string> = {};
    // Registered in this order, one millisecond apart; names only, the rows are renamed below as an old server allowed.
    for (const slug of ['agent-one', 'agent-two', 'agent-three', 'agent-four']) {
      const agent = await registerSlug(t.app, slug);
      ids[slug] = agent.id;
      tokens[slug] = agent.managementToken;
      t.clock.advance(1);
    }
    await t.app.close();
    // As before the migration, holding `paypal` (oldest), `paypa1` and `pay-pal`, and an unrelated `other`.
    const db = storage.db;
    // Back to before 0018: without 0020's digest column, 0019's table (0019 dropped the column's index) nor 0018's
    // column.
    await rewindTo0019(storage);
    await db.schema.dropTable('slug_skeletons').execute();
    await sql`delete from vouch_migration where name = '0019_slug_skeletons'`.execute(db);
    await db.schema.alterTable('agents').dropColumn('slug_skeleton').execute();
    const old = db as unknown as Kysely<{ agents: { id: string; slug: string } }>;
    const rename = { 'agent-one': 'paypa1', 'agent-two': 'paypal', 'agent-three': 'pay-pal', 'agent-four': 'other' };
    for (const [from, to] of Object.entries(rename)) {
      await old.updateTable('agents').set({ slug: to }).where('id', '=', ids[from]!).execute();
    }
    // agent-two (paypal) is made the oldest: the backfill goes by registration time, not by id or slug.
    await db
      .updateTable('agents')
      .set({ created_at: T0 - 1000 })
      .where('id', '=', ids['agent-two']!)
      .execute();

    await slugSkeletonColumn.up(db as unknown as Kysely<unknown>, engine);

    const rows = await db.selectFrom('agents').select(['id', 'slug', 'slug_skeleton']).execute();
    const bySlug = Object.fromEntries(rows.map((r) => [r.slug, r.slug_skeleton]));
    assert.deepEqual(bySlug, { paypal: 'paypal', paypa1: null, 'pay-pal': null, other: 'other' });

    // The server of today runs 0019 over it, which keeps what 0018 stored.
    const app = await makeApp(await open(), { env: TEST_ENV, kek: t.kek, clock: t.clock });
    try {
      const reg = await app.app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'p-aypal' } });
      assert.equal(codeOf(reg), 'SLUG_CONFUSABLE', reg.body);
      const otherLike = await app.app.inject({
        method: 'POST',
        url: '/v1/identity/register',
        payload: { slug: 'o-ther' },
      });
      assert.equal(codeOf(otherLike), 'SLUG_CONFUSABLE', otherLike.body);
      // A later look-alike keeps its slug and may set it again, but may not move to another look-alike of paypal.
      const put = (slug: string) =>
        app.app.inject({
          method: 'PUT',
          url: `/api/v1/agents/${ids['agent-one']}/slug`,
          headers: bearer(tokens['agent-one']!),
          payload: { slug },
        });
      const again = await put('paypa1');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(codeOf(await put('pay-pa1')), 'SLUG_CONFUSABLE');
    } finally {
      await app.app.close();
    }
  },
);
