// A run of `v` and `w` is drawn as its width in `v`s: `vw`, `wv` and `vvv` look the same on a profile page. The
// skeleton folded `vv` into `w` left to right, so `vvv` read as `wv` but `vw` stayed `vw`: `navwar` was taken beside
// `nawvar` and `navvvar`. Migration 0021 gives agents whose slug changed reading the rows of its new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { slugReadings, slugSkeleton } from '../../src/modules/agents/slug-skeleton.ts';
import { admin, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

const ENV = { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '100000' };

/** Each row reads alike: the same runs of `v` and `w`, by width. */
const LOOK_ALIKES: readonly (readonly string[])[] = [
  ['nawvar', 'navwar', 'navvvar', 'na-v-w-ar'],
  ['wwolf', 'vwvolf', 'vvwolf', 'wvvolf', 'vvvvolf'],
  ['vwx-bot', 'wvx-bot', 'vvvx-bot'],
];

test('slug skeletons: a run of v and w reads by its width, whatever its order', () => {
  for (const row of LOOK_ALIKES) {
    for (const s of row) assert.equal(slugSkeleton(s), slugSkeleton(row[0]!), `${s} reads as ${row[0]}`);
  }
  // Unchanged where the run was already folded so: `vv` as `w`, an odd `v` last.
  assert.equal(slugSkeleton('svvan'), 'swan');
  assert.equal(slugSkeleton('vvv'), 'wv');
  assert.equal(slugSkeleton('wolf'), 'wolf');
  assert.notEqual(slugSkeleton('wolf'), slugSkeleton('volf'));
  assert.notEqual(slugSkeleton('vwolf'), slugSkeleton('wolf'));
  // Still its own skeleton.
  for (const s of ['vw', 'vwv', 'rnvwrn0']) assert.equal(slugSkeleton(slugSkeleton(s)), slugSkeleton(s));
  assert.deepEqual(slugReadings('vw1'), ['wvi', 'wvl']);
});

eachEngine('a v/w look-alike of a held slug is refused 409 SLUG_CONFUSABLE, in either order', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: ENV });
  try {
    for (const [held, ...alikes] of LOOK_ALIKES) {
      const holder = await registerSlug(app, held!);
      for (const slug of alikes) {
        const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
        assert.equal(reg.statusCode, 409, `${slug} beside ${held}: ${reg.body}`);
        assert.equal(codeOf(reg), 'SLUG_CONFUSABLE');
      }
      const released = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${holder.did}/slug`, headers: admin });
      assert.equal(released.statusCode, 200, released.body);
      // The other way round: the look-alike first.
      await registerSlug(app, alikes[0]!);
      const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: held } });
      assert.equal(codeOf(reg), 'SLUG_CONFUSABLE', `${held} beside ${alikes[0]}`);
    }
  } finally {
    await app.close();
  }
});

eachEngine('migration 0021: slugs an older server let stand side by side get their new reading', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: ENV });
  // Registered in this order, a millisecond apart; then renamed with the rows an older server wrote for them.
  const older = await registerSlug(t.app, 'agent-older');
  t.clock.advance(1);
  const younger = await registerSlug(t.app, 'agent-younger');
  await t.app.close();
  const db = storage.db as unknown as Kysely<{
    agents: { id: string; slug: string | null };
    slug_skeletons: { skeleton: string; agent_id: string; held: number };
    vouch_migration: { name: string };
  }>;
  for (const [agent, slug] of [
    [older, 'navwar'],
    [younger, 'nawvar'],
  ] as const) {
    await db.updateTable('agents').set({ slug }).where('id', '=', agent.id).execute();
    await db.deleteFrom('slug_skeletons').where('agent_id', '=', agent.id).execute();
    await db.insertInto('slug_skeletons').values({ skeleton: slug, agent_id: agent.id, held: 1 }).execute();
  }
  await db.deleteFrom('vouch_migration').where('name', '=', '0021_slug_v_runs').execute();

  const migrated = await open();
  const { app } = await makeApp(migrated, { env: ENV, kek: t.kek, clock: t.clock });
  try {
    const rows = await db
      .selectFrom('slug_skeletons')
      .select(['skeleton', 'agent_id', 'held'])
      .where('agent_id', 'in', [older.id, younger.id])
      .orderBy('agent_id')
      .execute();
    // The younger kept the reading it held; the older, whose reading changed, has its new one unheld.
    assert.deepEqual(
      rows.map((r) => [r.agent_id, r.skeleton, Number(r.held)]).sort(),
      [
        [older.id, 'nawvar', 0],
        [younger.id, 'nawvar', 1],
      ].sort(),
    );
    for (const slug of ['navvvar', 'navwar', 'nawvar', 'na-vw-ar']) {
      const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
      assert.equal(codeOf(reg), slug === 'navwar' || slug === 'nawvar' ? 'SLUG_TAKEN' : 'SLUG_CONFUSABLE', slug);
    }
    // The holder lets its slug go: the older look-alike now holds the reading.
    const released = await app.inject({ method: 'DELETE', url: `/api/v1/agents/${younger.did}/slug`, headers: admin });
    assert.equal(released.statusCode, 200, released.body);
    const held = await db
      .selectFrom('slug_skeletons')
      .select('agent_id')
      .where('skeleton', '=', 'nawvar')
      .where('held', '=', 1)
      .execute();
    assert.deepEqual(
      held.map((r) => r.agent_id),
      [older.id],
    );
    const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'navvvar' } });
    assert.equal(codeOf(reg), 'SLUG_CONFUSABLE');
  } finally {
    await app.close();
  }
});
