// Holds a server-key load of one purpose just after it read the keys: for races against a key rotation.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/index.ts';

/**
 * Holds the next non-transactional query on `db` that lists the server keys of `purpose` (listServerKeys) after it
 * has read its rows, until `release()`; `reached` resolves once it is held.
 */
export function holdKeyListing(db: Kysely<Database>, purpose: string): { reached: Promise<void>; release: () => void } {
  const executor = db.getExecutor();
  const original = executor.executeQuery.bind(executor);
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  executor.executeQuery = (async (query: Parameters<typeof original>[0]) => {
    const result = await original(query);
    if (
      /from "server_keys"/.test(query.sql) &&
      /order by "purpose"/.test(query.sql) &&
      query.parameters.includes(purpose)
    ) {
      executor.executeQuery = original;
      reach();
      await released;
    }
    return result;
  }) as typeof executor.executeQuery;
  return { reached, release };
}
