// Multi-row INSERTs of the reputation tables, as SQL written once per statement instead of compiled per call.
// Building a Kysely node per value and compiling it (17 × 500 values for a batch of events) cost about a
// millisecond per batch. On SQLite the statement is `values (?, …), (?, …)` with one text per row count (and a prepared
// statement per text in the storage's cache); on PostgreSQL it is `select … from unnest($1::text[], …)`, one array
// per column, so the text never changes with the row count and the server does not parse and plan a statement
// of thousands of parameters on every batch.
import { CompiledQuery } from 'kysely';
import type { Engine } from '../../storage/index.ts';
import type { Db } from './store.ts';

/** PostgreSQL element types of the columns we insert. */
export type PgType = 'text' | 'int8' | 'int4' | 'float8';

/** One INSERT statement: its table, its columns (with their PostgreSQL types) and what follows the rows. */
export interface InsertSpec {
  table: string;
  columns: ReadonlyArray<readonly [name: string, pgType: PgType]>;
  /** ON CONFLICT / RETURNING clauses: no parameters, the same text on both engines. */
  tail: string;
}

/**
 * SQLite texts kept per statement, by row count: steady ingestion repeats a few counts, and a text of a thousand
 * rows is tens of kB, so a handful per statement is enough.
 */
const SQLITE_TEXTS_PER_STATEMENT = 8;

interface Texts {
  postgres: string;
  sqlite: Map<number, string>;
}

const texts = new WeakMap<InsertSpec, Texts>();

const quote = (name: string) => `"${name}"`;

function textsOf(spec: InsertSpec): Texts {
  let t = texts.get(spec);
  if (t === undefined) {
    const names = spec.columns.map(([name]) => quote(name)).join(', ');
    const arrays = spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    const aliases = spec.columns.map((_, i) => `c${i}`);
    // WITH ORDINALITY … ORDER BY keeps the rows (and the identity values they draw) in the caller's order.
    const postgres =
      `insert into ${quote(spec.table)} (${names}) select ${aliases.join(', ')} from unnest(${arrays}) ` +
      `with ordinality as r(${aliases.join(', ')}, ord) order by ord ${spec.tail}`;
    t = { postgres, sqlite: new Map() };
    texts.set(spec, t);
  }
  return t;
}

function sqliteText(spec: InsertSpec, t: Texts, rows: number): string {
  let text = t.sqlite.get(rows);
  if (text === undefined) {
    const tuple = `(${spec.columns.map(() => '?').join(', ')})`;
    const names = spec.columns.map(([name]) => quote(name)).join(', ');
    text = `insert into ${quote(spec.table)} (${names}) values ${new Array<string>(rows).fill(tuple).join(', ')} ${spec.tail}`;
    // Bounded: the texts depend only on (statement, row count), so dropping the oldest is always safe.
    if (t.sqlite.size >= SQLITE_TEXTS_PER_STATEMENT) t.sqlite.delete(t.sqlite.keys().next().value as number);
    t.sqlite.set(rows, text);
  }
  return text;
}

/**
 * Inserts rows given as one flat array of values, row after row, in the order of `spec.columns`; returns what the
 * statement's RETURNING clause gives (nothing without one).
 *
 * @example
 * await insertRows(db, 'sqlite', { table: 't', columns: [['a', 'text'], ['b', 'int8']], tail: '' }, ['x', 1, 'y', 2]);
 */
export async function insertRows<O>(
  db: Db,
  engine: Engine,
  spec: InsertSpec,
  values: readonly unknown[],
): Promise<O[]> {
  const width = spec.columns.length;
  const rows = values.length / width;
  if (!Number.isInteger(rows)) throw new RangeError(`insertRows: ${values.length} values are not rows of ${width}.`);
  if (rows === 0) return [];
  const t = textsOf(spec);
  if (engine === 'sqlite') {
    return (await db.executeQuery<O>(CompiledQuery.raw(sqliteText(spec, t, rows), values as unknown[]))).rows;
  }
  const columns: unknown[][] = new Array(width);
  for (let c = 0; c < width; c++) {
    const column = new Array<unknown>(rows);
    for (let r = 0, i = c; r < rows; r++, i += width) column[r] = values[i];
    columns[c] = column;
  }
  return (await db.executeQuery<O>(CompiledQuery.raw(t.postgres, columns))).rows;
}
