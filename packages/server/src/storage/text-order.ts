import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { Engine } from './engine.ts';

/**
 * A text column to ORDER BY in code point order, the same on both engines. SQLite compares text byte by byte
 * (BINARY); PostgreSQL by the database's collation, which on many installations is a natural-language one
 * (en_US.UTF-8 sorts `alpha` before `Zeta` and `abc` before `a-cc`), so one request would list the same rows in
 * another order on each engine. `COLLATE "C"` is PostgreSQL's byte order.
 *
 * @example
 * ```ts
 * db.selectFrom('integrators').selectAll().orderBy(codePointOrder(engine, 'slug'))
 * ```
 */
export function codePointOrder(engine: Engine, column: string): RawBuilder<string> {
  return engine === 'postgres' ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;
}
