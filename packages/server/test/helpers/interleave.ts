// Forced interleavings for race tests: a step runs at a chosen point of the code under test, no sleeps.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/index.ts';

/** Runs `step` once, just before the next transaction on `db` begins. */
export function beforeNextTransaction(db: Kysely<Database>, step: () => Promise<void>): void {
  const original = db.transaction;
  db.transaction = function () {
    db.transaction = original;
    const builder = original.call(db);
    const execute = builder.execute.bind(builder);
    builder.execute = async (fn) => {
      await step();
      return execute(fn);
    };
    return builder;
  } as typeof db.transaction;
}

/**
 * PostgreSQL: resolves once `count` sessions wait, directly or behind another waiter, for a lock that the session
 * `holder` holds (polled, bounded). A second waiter on a row lock waits for the first in line, not for the holder.
 */
export async function blockedBehind(db: Kysely<Database>, holder: number, count: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`
      with direct as (select pid from pg_stat_activity where ${holder} = any(pg_blocking_pids(pid)))
      select count(*)::int as n from pg_stat_activity a
      where a.pid in (select pid from direct)
         or exists (select 1 from direct d where d.pid = any(pg_blocking_pids(a.pid)))`.execute(db);
    if (rows[0]!.n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`fewer than ${count} sessions ever waited behind ${holder}`);
}
