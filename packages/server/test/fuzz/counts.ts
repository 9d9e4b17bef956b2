// Row counts of every table in one round trip, so the fuzzer can afford a before/after check on every request.
import { sql } from 'kysely';
import type { Storage } from '../../src/storage/index.ts';
import { tableCounts } from '../helpers/app.ts';

/** Returns a function that counts the rows of the same tables `tableCounts` covers, in one query. */
export async function fastCounter(storage: Storage): Promise<() => Promise<Record<string, number>>> {
  const tables = Object.keys(await tableCounts(storage));
  const union = sql.join(
    tables.map((t) => sql`select ${t} as name, count(*) as n from ${sql.table(t)}`),
    sql` union all `,
  );
  return async () => {
    const rows = (await sql<{ name: string; n: number | string }>`${union}`.execute(storage.db)).rows;
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  };
}
