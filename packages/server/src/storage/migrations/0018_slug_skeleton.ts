import { sql } from 'kysely';
import { slugSkeleton } from '../../modules/agents/slug-skeleton.ts';
import type { VouchMigration } from './migration.ts';

/** Rows updated per statement in the backfill (three parameters each, well under SQLite's limit). */
const BATCH = 500;

/**
 * `agents.slug_skeleton`: what the slug looks like (modules/agents/slug-skeleton.ts), under the unique index
 * `agents_slug_skeleton_key`, so that two look-alike slugs cannot both be held, even when two registrations or slug
 * changes commit at once (the second answers 409 `SLUG_CONFUSABLE`). NULL for an agent without a slug; both engines
 * let any number of rows hold NULL under a unique index.
 *
 * A database may already hold look-alikes (registered before they were refused): the oldest holder of each skeleton
 * (by `created_at`, then id) gets it stored; later look-alikes keep their slugs, pages and lookups, with a NULL
 * skeleton, so the index builds. Nothing new may take their skeleton while the oldest holds it; a later look-alike
 * that sets a slug again gets its skeleton stored then (its own current slug is always its to keep).
 */
export const slugSkeletonColumn: VouchMigration = {
  async up(db, engine) {
    await db.schema.alterTable('agents').addColumn('slug_skeleton', 'text').execute();
    const order = engine === 'postgres' ? sql`id collate "C"` : sql`id`;
    const { rows } = await sql<{ id: string; slug: string }>`select id, slug from agents
        where slug is not null order by created_at, ${order}`.execute(db);
    const seen = new Set<string>();
    const firsts: { id: string; skeleton: string }[] = [];
    for (const { id, slug } of rows) {
      const skeleton = slugSkeleton(slug);
      if (seen.has(skeleton)) continue;
      seen.add(skeleton);
      firsts.push({ id, skeleton });
    }
    for (let i = 0; i < firsts.length; i += BATCH) {
      const batch = firsts.slice(i, i + BATCH);
      const cases = sql.join(
        batch.map((r) => sql`when ${r.id} then ${r.skeleton}`),
        sql` `,
      );
      const ids = sql.join(batch.map((r) => sql`${r.id}`));
      await sql`update agents set slug_skeleton = case id ${cases} end where id in (${ids})`.execute(db);
    }
    await db.schema.createIndex('agents_slug_skeleton_key').on('agents').column('slug_skeleton').unique().execute();
  },
};
