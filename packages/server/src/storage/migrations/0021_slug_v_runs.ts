import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { slugReadings } from '../../modules/agents/slug-skeleton.ts';
import type { VouchMigration } from './migration.ts';

interface Tables {
  agents: { id: string; slug: string | null; created_at: number };
  slug_skeletons: { skeleton: string; agent_id: string; held: number };
}

/**
 * The slug skeleton now reads a run of `v` and `w` by its width (`vw`, `wv` and `vvv` alike), where it folded `vv`
 * into `w` left to right and left `vw` apart from `wv`. The agents whose slug now reads otherwise get the rows
 * of their slug's readings as now read, as the server repairs them (agents/store.ts, repairReadings): a reading no
 * longer theirs goes (a held one handed to the oldest look-alike that reads so), a new one is held unless another
 * agent holds it, and is otherwise kept unheld. So no agent loses a reading it still has, each keeps its slug, and a
 * pair an older server let stand side by side (`navwar`, `nawvar`) has its reading held once. Oldest agents first.
 */
export const slugVRuns: VouchMigration = {
  async up(raw, engine) {
    const db = raw as Kysely<Tables>;
    const order = engine === 'postgres' ? sql`id collate "C"` : sql`id`;
    const { rows: agents } = await sql<{ id: string; slug: string }>`select id, slug from agents
        where slug like ${'%v%'} order by created_at, ${order}`.execute(db);
    for (const { id, slug } of agents) {
      const readings = slugReadings(slug);
      // Only the agents whose readings this change moved: any other's rows are left as they are.
      if (sameReadings(readings, readingsBefore(slug))) continue;
      const rows = await db
        .selectFrom('slug_skeletons')
        .select(['skeleton', 'held'])
        .where('agent_id', '=', id)
        .execute();
      const stale = rows.filter((r) => !readings.includes(r.skeleton));
      const missing = readings.filter((r) => !rows.some((row) => row.skeleton === r));
      if (stale.length > 0) {
        await db
          .deleteFrom('slug_skeletons')
          .where('agent_id', '=', id)
          .where(
            'skeleton',
            'in',
            stale.map((r) => r.skeleton),
          )
          .execute();
      }
      for (const skeleton of missing) {
        const holder = await db
          .selectFrom('slug_skeletons')
          .select('agent_id')
          .where('skeleton', '=', skeleton)
          .where('held', '=', 1)
          .executeTakeFirst();
        await db
          .insertInto('slug_skeletons')
          .values({ skeleton, agent_id: id, held: holder === undefined ? 1 : 0 })
          .execute();
      }
      for (const { skeleton } of stale.filter((r) => Number(r.held) === 1)) await handOver(db, skeleton);
    }
  },
};

/** The readings as the skeleton made them before 0021 (`vv` folded into `w` left to right). */
function readingsBefore(slug: string): string[] {
  const skeleton = (s: string) =>
    s
      .replace(/-/g, '')
      .replace(/0/g, 'o')
      .replace(/1/g, 'l')
      .replace(/5/g, 's')
      .replace(/rn/g, 'm')
      .replace(/vv/g, 'w');
  const asL = skeleton(slug);
  return slug.includes('1') ? [...new Set([asL, skeleton(slug.replaceAll('1', 'i'))])].sort() : [asL];
}

function sameReadings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** A reading no agent holds any more goes to the oldest agent whose slug reads so (store.ts, handOverReading). */
async function handOver(db: Kysely<Tables>, skeleton: string): Promise<void> {
  const candidates = await db
    .selectFrom('slug_skeletons as s')
    .innerJoin('agents as a', 'a.id', 's.agent_id')
    .select(['s.agent_id', 'a.created_at'])
    .where('s.skeleton', '=', skeleton)
    .where('s.held', '=', 0)
    .execute();
  const first = candidates.sort(
    (x, y) => Number(x.created_at) - Number(y.created_at) || (x.agent_id < y.agent_id ? -1 : 1),
  )[0];
  if (first === undefined) return;
  await db
    .updateTable('slug_skeletons')
    .set({ held: 1 })
    .where('skeleton', '=', skeleton)
    .where('agent_id', '=', first.agent_id)
    .execute();
}
