// What every table holds, in one round trip, so the fuzzer can afford a before/after check on every request: a row
// count and a digest of the rows' contents per table. Counts alone miss a refused request that changes a row in
// place (revokes, renames, bumps a counter) or deletes one row and inserts another.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { Storage } from '../../src/storage/index.ts';
import { tableCounts } from '../helpers/app.ts';

/** Each table's row text, in a fixed order: PostgreSQL's row-to-text cast, SQLite's quote() of every column. */
async function rowsText(storage: Storage, table: string): Promise<RawBuilder<unknown>> {
  if (storage.engine === 'postgres') {
    return sql`select ${table} as name, count(*) as n,
      md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as h from ${sql.table(table)} r`;
  }
  const columns = (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(storage.db)).rows;
  const row = sql.join(
    columns.map((c) => sql`quote(${sql.ref(c.name)})`),
    sql` || ',' || `,
  );
  return sql`select ${table} as name, count(*) as n, coalesce(group_concat(r, '|'), '') as h
    from (select ${row} as r from ${sql.table(table)} order by r)`;
}

/**
 * Returns a function that describes the tables `tableCounts` covers, one `"<rows> <digest>"` per table, in one
 * query: equal results mean no row was added, removed or changed.
 */
export async function fastFingerprint(storage: Storage): Promise<() => Promise<Record<string, string>>> {
  const tables = Object.keys(await tableCounts(storage));
  const union = sql.join(await Promise.all(tables.map((t) => rowsText(storage, t))), sql` union all `);
  return async () => {
    const rows = (await sql<{ name: string; n: number | string; h: string }>`${union}`.execute(storage.db)).rows;
    const digest = (h: string) => (storage.engine === 'postgres' ? h : createHash('sha256').update(h).digest('hex'));
    return Object.fromEntries(rows.map((r) => [r.name, `${Number(r.n)} ${digest(r.h).slice(0, 16)}`]));
  };
}
