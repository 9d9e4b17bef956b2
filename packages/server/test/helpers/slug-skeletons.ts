// A database as a server of migration 0018 left it (agents.slug_skeleton under a unique index, no slug_skeletons
// table), holding slugs an even older server let be taken side by side, so that the next open() runs 0019 over it.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { slugSkeleton } from '../../src/modules/agents/slug-skeleton.ts';
import type { Storage } from '../../src/storage/index.ts';
import { rewindTo0019 } from './capability-token-digest.ts';

/**
 * Undoes migrations 0020 (no capability token may be recorded) and 0019, gives agents the slugs in `slugs` (by id),
 * and stores `agents.slug_skeleton` as 0018 did: the oldest holder of each skeleton (by `created_at`, then id) has
 * it, later look-alikes have NULL.
 */
export async function rewindTo0018(storage: Storage, slugs: Record<string, string>): Promise<void> {
  const db = storage.db as unknown as Kysely<{
    agents: { id: string; slug: string | null; slug_skeleton: string | null; created_at: number };
    vouch_migration: { name: string };
  }>;
  await rewindTo0019(storage);
  await sql`drop table slug_skeletons`.execute(db);
  await db.deleteFrom('vouch_migration').where('name', '=', '0019_slug_skeletons').execute();
  await db.updateTable('agents').set({ slug_skeleton: null }).execute();
  for (const [id, slug] of Object.entries(slugs)) {
    await db.updateTable('agents').set({ slug }).where('id', '=', id).execute();
  }
  const rows = await db
    .selectFrom('agents')
    .select(['id', 'slug'])
    .where('slug', 'is not', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const seen = new Set<string>();
  for (const { id, slug } of rows) {
    const skeleton = slugSkeleton(slug!);
    if (seen.has(skeleton)) continue;
    seen.add(skeleton);
    await db.updateTable('agents').set({ slug_skeleton: skeleton }).where('id', '=', id).execute();
  }
  await db.schema.createIndex('agents_slug_skeleton_key').on('agents').column('slug_skeleton').unique().execute();
}
