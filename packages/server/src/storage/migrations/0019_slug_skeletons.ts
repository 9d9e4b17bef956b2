import { sql } from 'kysely';
import { slugReadings, slugSkeleton } from '../../modules/agents/slug-skeleton.ts';
import type { VouchMigration } from './migration.ts';

/** Rows inserted per statement in the backfill (three parameters each, well under SQLite's limit). */
const BATCH = 300;

/**
 * `slug_skeletons`: the readings of each agent's slug (modules/agents/slug-skeleton.ts, `slugReadings`: `1` read as
 * `l` and as `i`), one row each, with `held` 1 for at most one agent per reading under the partial unique index
 * `slug_skeletons_held_key`, so that two look-alike slugs cannot both be held, even when two registrations or slug
 * changes commit at once. One column could hold one reading only (0018 read `1` as `l` alone, so `m1ke` sat beside
 * `mike`). An agent's rows not held (`held` 0) are readings an older look-alike holds: when that one lets its slug
 * go, the oldest of them is handed the reading in the same transaction.
 *
 * A database may already hold look-alikes: first each agent keeps the reading 0018 stored for it (the unique index
 * made those distinct), so no agent loses a reading it held; then the other readings go to the oldest agent reading
 * so (by `created_at`, then id), later ones get `held` 0 and keep their slugs, so the index builds.
 *
 * `agents.slug_skeleton` loses its unique index and is no longer read or written: it stays so that an instance of the
 * previous version still running during a rollout can write its rows.
 */
export const slugSkeletonsTable: VouchMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('slug_skeletons')
      .addColumn('skeleton', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
      .addColumn('held', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('slug_skeletons_pkey', ['skeleton', 'agent_id'])
      .execute();
    await db.schema.createIndex('slug_skeletons_agent_idx').on('slug_skeletons').column('agent_id').execute();

    const order = engine === 'postgres' ? sql`id collate "C"` : sql`id`;
    const { rows } = await sql<{ id: string; slug: string; slug_skeleton: string | null }>`select id, slug,
        slug_skeleton from agents where slug is not null order by created_at, ${order}`.execute(db);
    // What 0018 stored and its index kept distinct; a value left stale by an older server's slug change is not.
    const held = new Set<string>();
    const taken = new Set<string>();
    for (const r of rows) {
      const skeleton = slugSkeleton(r.slug);
      if (r.slug_skeleton !== skeleton || taken.has(skeleton)) continue;
      taken.add(skeleton);
      held.add(`${r.id} ${skeleton}`);
    }
    const out: { skeleton: string; agent_id: string; held: number }[] = [];
    for (const { id, slug } of rows) {
      for (const skeleton of slugReadings(slug)) {
        let holds = held.has(`${id} ${skeleton}`);
        if (!holds && !taken.has(skeleton)) {
          holds = true;
          taken.add(skeleton);
        }
        out.push({ skeleton, agent_id: id, held: holds ? 1 : 0 });
      }
    }
    for (let i = 0; i < out.length; i += BATCH) {
      await db
        .insertInto('slug_skeletons' as never)
        .values(out.slice(i, i + BATCH) as never)
        .execute();
    }
    await db.schema
      .createIndex('slug_skeletons_held_key')
      .on('slug_skeletons')
      .column('skeleton')
      .unique()
      .where(sql<boolean>`held = 1`)
      .execute();
    await db.schema.dropIndex('agents_slug_skeleton_key').execute();
  },
};
