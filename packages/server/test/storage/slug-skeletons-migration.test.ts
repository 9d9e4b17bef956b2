// Migration 0019 on a database a server of 0018 left, holding look-alike pairs: pairs 0018 let stand because it read
// `1` as `l` only (`mike` beside `m1ke`), pairs from before 0018 (`paypal` beside `paypa1`, one of them with no
// skeleton), and a skeleton an older server left stale. It succeeds, every agent keeps the reading 0018 stored for
// it, other readings go to their oldest holder, later look-alikes get theirs unheld; new look-alikes are refused
// SLUG_CONFUSABLE from then on, and each agent may still set its own slug again.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { rewindTo0018 } from '../helpers/slug-skeletons.ts';
import { eachEngine } from '../helpers/storage.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from '../agents/helpers.ts';

/** Oldest first: the slugs as the old servers let them be held side by side. */
const SLUGS = ['sk1pper', 'skipper', 'paypal', 'paypa1', 'mike', 'm1ke', 'k-iwi', 'kiwi'];

eachEngine('migration 0019 stores both readings over existing look-alike pairs without failing', async ({ open }) => {
  const storage = await open();
  const t = await makeApp(storage, { env: TEST_ENV });
  const agents: { id: string; did: string; managementToken: string }[] = [];
  for (let i = 0; i < SLUGS.length; i++) {
    agents.push(await registerSlug(t.app, `agent-${i}`));
    t.clock.advance(1);
  }
  await t.app.close();
  await rewindTo0018(storage, Object.fromEntries(SLUGS.map((slug, i) => [agents[i]!.id, slug])));
  // k-iwi (older) reached its slug through a server before 0018, which left the skeleton of its previous slug; kiwi
  // holds `kiwi` under 0018's index.
  const db = storage.db;
  await db.updateTable('agents').set({ slug_skeleton: 'previous' }).where('id', '=', agents[6]!.id).execute();
  await db.updateTable('agents').set({ slug_skeleton: 'kiwi' }).where('id', '=', agents[7]!.id).execute();

  const migrated = await open();
  const rows = await migrated.db
    .selectFrom('slug_skeletons as s')
    .innerJoin('agents as a', 'a.id', 's.agent_id')
    .select(['a.slug', 's.skeleton', 's.held'])
    .execute();
  const got = rows.map((r) => `${r.slug} ${r.skeleton} ${r.held}`).sort();
  assert.deepEqual(
    got,
    [
      'k-iwi kiwi 0',
      'kiwi kiwi 1',
      'm1ke mike 0',
      'm1ke mlke 1',
      'mike mike 1',
      'paypa1 paypai 1',
      'paypa1 paypal 0',
      'paypal paypal 1',
      'sk1pper skipper 0',
      'sk1pper sklpper 1',
      'skipper skipper 1',
    ].sort(),
  );

  const { app } = await makeApp(migrated, { env: TEST_ENV, kek: t.kek, clock: t.clock });
  try {
    for (const slug of ['sk-ipper', 'sklpper', 'p-aypal', 'paypai', 'mi-ke', 'mlke', 'ki-wi']) {
      const reg = await app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug } });
      assert.equal(codeOf(reg), 'SLUG_CONFUSABLE', `${slug}: ${reg.body}`);
    }
    for (let i = 0; i < SLUGS.length; i++) {
      const again = await app.inject({
        method: 'PUT',
        url: `/api/v1/agents/${agents[i]!.did}/slug`,
        headers: bearer(agents[i]!.managementToken),
        payload: { slug: SLUGS[i] },
      });
      assert.equal(again.statusCode, 200, `${SLUGS[i]}: ${again.body}`);
    }
  } finally {
    await app.close();
  }
});
