// Bulk history for the resolve bench: events of other agents inserted by one raw SQL statement (setup only).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../packages/server/src/storage/index.ts';

/** The database the rows go to. */
export interface BulkTarget {
  engine: 'sqlite' | 'postgres';
  storage: { db: Kysely<Database> };
}

const COLUMNS = sql.raw(
  '(integrator_slug, external_event_id, env_id, event_type, subject_type, subject_id, agent_id, actor_type, ' +
    'actor_id, occurred_at, metric_values, severity, counterparty_type, counterparty_id, interaction_id, data, ' +
    'received_at)',
);
const METRIC_VALUES = '[{"metricKey":"tasks_completed","numberValue":1}]';

/** Adds `count` events (1,000 other agents) in one statement. */
export async function bulkInsertEvents(f: BulkTarget, count: number, from: number): Promise<void> {
  const now = Date.now();
  if (f.engine === 'postgres') {
    await sql`insert into reputation_events ${COLUMNS}
      select 'bench', 'bulk-' || x, 'bench.production.v1', 'task.completed', 'agent', 'bulk-agent-' || (x % 1000),
        'bulk' || (x % 1000), 'human', 'user', ${now}::bigint - x, ${METRIC_VALUES}, null, null, null, null, null,
        ${now}::bigint
      from generate_series(${from}::bigint, ${from + count - 1}::bigint) as x`.execute(f.storage.db);
    await sql`analyze reputation_events`.execute(f.storage.db);
    return;
  }
  await sql`with recursive c(x) as (select ${from} union all select x + 1 from c where x < ${from + count - 1})
    insert into reputation_events ${COLUMNS}
    select 'bench', 'bulk-' || x, 'bench.production.v1', 'task.completed', 'agent', 'bulk-agent-' || (x % 1000),
      'bulk' || (x % 1000), 'human', 'user', ${now} - x, ${METRIC_VALUES}, null, null, null, null, null, ${now}
    from c`.execute(f.storage.db);
}

/** Rows in reputation_events. */
export async function countEvents(f: BulkTarget): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from reputation_events`.execute(f.storage.db);
  return Number(r.rows[0]!.n);
}
