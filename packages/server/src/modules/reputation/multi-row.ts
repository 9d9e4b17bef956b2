// Multi-row INSERTs without a Kysely node per value. Kysely builds and compiles one operation node per inserted
// value (17 × 500 for a batch of events) on every call; here Kysely compiles the statement for the first row only
// (so quoting and the ON CONFLICT / RETURNING clauses stay exactly Kysely's) and the VALUES list is repeated by
// string building, with the same placeholders and parameters Kysely would have produced.
import { CompiledQuery } from 'kysely';
import type { Compilable } from 'kysely';
import type { Db } from './store.ts';

const VALUES = ' values (';

/**
 * Inserts `rows` (objects with the same keys, in the same order) with the statement `build` makes for them; `build`
 * is called with the first row only, unless its statement is not of the expected shape (then with all rows).
 *
 * @example
 * await insertMany(db, rows, (rs) => db.insertInto('t').values(rs).onConflict((oc) => oc.doNothing()));
 */
export async function insertMany<R extends object, O>(
  db: Db,
  rows: readonly R[],
  build: (rows: R[]) => Compilable<O>,
): Promise<O[]> {
  if (rows.length === 0) return [];
  const first = rows[0] as Record<string, unknown>;
  const columns = Object.keys(first);
  const probe = build([rows[0]!]).compile();
  const open = probe.sql.indexOf(VALUES);
  const close = probe.sql.indexOf(')', open + VALUES.length);
  const tail = probe.sql.slice(close + 1);
  // The shape this relies on: one placeholder per column in the VALUES list and none anywhere else.
  if (
    open < 0 ||
    probe.parameters.length !== columns.length ||
    probe.parameters.some((p, i) => p !== first[columns[i]!]) ||
    /[?$]/.test(tail)
  ) {
    return (await db.executeQuery(build([...rows]).compile())).rows;
  }
  const numbered = probe.sql.slice(open + VALUES.length, close).includes('$1');
  const parameters: unknown[] = new Array(rows.length * columns.length);
  const tuples: string[] = new Array(rows.length);
  let n = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    const marks: string[] = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      parameters[n] = row[columns[c]!];
      n++;
      marks[c] = numbered ? `$${n}` : '?';
    }
    tuples[r] = `(${marks.join(', ')})`;
  }
  const text = `${probe.sql.slice(0, open)} values ${tuples.join(', ')}${tail}`;
  return (await db.executeQuery<O>(CompiledQuery.raw(text, parameters))).rows;
}
