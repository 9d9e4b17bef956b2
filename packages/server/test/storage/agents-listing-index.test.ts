// The anonymous agent listings page through agents in registration order (listAgents: created_at, then id). With
// the index of migration 0015 each page is read in index order, on both engines, never sorted whole: the plans of
// listAgents' two queries (the first page, and a page after a cursor) name the index and no sort.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

/** listAgents' queries, as it builds them. */
function listingQueries(db: Kysely<Database>) {
  const first = db.selectFrom('agents').selectAll().orderBy('created_at').orderBy('id').limit(100);
  const at = 1_700_000_000_000;
  const id = '01hzzzzzzzzzzzzzzzzzzzzzzz';
  const after = first.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, id)));
  return [first.compile(), after.compile()];
}

eachEngine('the agent listings read agents in index order, never sorting the table', async ({ open, engine }) => {
  const storage = await open();
  const db = storage.db;
  for (const q of listingQueries(db)) {
    if (engine === 'sqlite') {
      const { rows } = await db.executeQuery<{ detail: string }>({
        ...q,
        sql: `explain query plan ${q.sql}`,
      });
      const plan = rows.map((r) => r.detail).join('\n');
      assert.match(plan, /agents_created_idx/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
    } else {
      // An empty table's statistics favour reading it whole (or by bitmap, then sorting): forbid those, so the plan
      // shows the path PostgreSQL has for a large one, if there is one.
      const plan = await db.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        await sql`set enable_bitmapscan = off`.execute(conn);
        try {
          const { rows } = await conn.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `explain ${q.sql}` });
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        } finally {
          await sql`reset enable_seqscan`.execute(conn);
          await sql`reset enable_bitmapscan`.execute(conn);
        }
      });
      assert.match(plan, /Index Scan using agents_created_idx/, plan);
      assert.doesNotMatch(plan, /Sort/, plan);
    }
  }
});
