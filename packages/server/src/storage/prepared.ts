// Queries compiled once per database handle and then run with new parameter values. Kysely builds and compiles a
// query's SQL on every call, about 6 µs of CPU, as much as SQLite takes to answer a primary-key lookup: the reads
// that a hot route makes on every request (the gateway's intercept) skip it.
import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database } from './schema.ts';

type Db = Kysely<Database>;

/**
 * A read compiled on its first call with each handle, and run from then on with `params` in place of the first
 * call's values. `build` must be a fixed query whose parameters are exactly `params`, in order: the first call checks
 * it (so a constant Kysely binds as a parameter, such as a `limit`, is refused at once, not answered wrongly).
 *
 * @example
 * const readHead = preparedRead((db, name: string) =>
 *   db.selectFrom('registry_documents').select(['sequence']).where('name', '=', name));
 * const rows = await readHead(db, 'authority');
 */
export function preparedRead<P extends readonly unknown[], Row>(
  build: (db: Db, ...params: P) => Compilable<Row>,
): (db: Db, ...params: P) => Promise<Row[]> {
  const compiled = new WeakMap<Db, CompiledQuery<Row>>();
  return async (db, ...params) => {
    let query = compiled.get(db);
    if (query === undefined) {
      query = build(db, ...params).compile();
      const bound = query.parameters;
      if (bound.length !== params.length || bound.some((v, i) => v !== params[i])) {
        // Counts only: the values may be anything a caller passed.
        throw new Error(
          `preparedRead: the query binds ${bound.length} values, not exactly its ${params.length} parameters`,
        );
      }
      compiled.set(db, query);
      return (await db.executeQuery(query)).rows;
    }
    return (await db.executeQuery<Row>({ ...query, parameters: params })).rows;
  };
}
