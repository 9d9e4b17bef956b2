// Holds a server-key load of one purpose just after it read the keys: for races against a key rotation.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/index.ts';
import { afterNextPoolQuery } from './interleave.ts';

/**
 * Holds the next non-transactional query on `db` that lists the server keys of `purpose` (listServerKeys) after it
 * has read its rows, until `release()`; `reached` resolves once it is held.
 */
export function holdKeyListing(db: Kysely<Database>, purpose: string): { reached: Promise<void>; release: () => void } {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  afterNextPoolQuery(
    db,
    (q) => /from "server_keys"/.test(q.sql) && /order by "purpose"/.test(q.sql) && q.parameters.includes(purpose),
    async () => {
      reach();
      await released;
    },
  );
  return { reached, release };
}
