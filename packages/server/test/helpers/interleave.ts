// Forced interleavings for race tests: a step runs at a chosen point of the code under test, no sleeps.
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
