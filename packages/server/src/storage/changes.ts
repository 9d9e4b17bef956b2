// Announcements of changed shared state, between the processes on one PostgreSQL: a write that changes something
// processes cache announces it with pg_notify in its own transaction (delivered on commit only, and not at all on
// a rollback), and every process's listener (lib/pg-listener.ts) hands the topic to that process's caches. SQLite is
// one process: nothing to announce, nothing to hear (the writer invalidates its own caches).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Engine } from './engine.ts';
import type { Database } from './schema.ts';

/** The one channel every Vouch process LISTENs on; the payload names the schema and the topic. */
export const CHANGE_CHANNEL = 'vouch_invalidate';
/** The topic heard after the listener (re)connects: anything may have changed meanwhile. */
export const EVERYTHING = '*';

/** The topic a write to the server keys of `purpose` announces (server-keys.ts). */
export function serverKeysTopic(purpose: string): string {
  return `server_keys:${purpose}`;
}

/** What changed, by topic: `server_keys:<purpose>`, `revocations`, ... ({@link EVERYTHING} for all). */
export interface ChangeFeed {
  /**
   * Calls `fn` with the topic of every change announced on this database (this process's own included) and with
   * {@link EVERYTHING} whenever announcements may have been missed. Returns the function that unsubscribes.
   */
  subscribe(fn: (topic: string) => void): () => void;
}

/** The feed of an engine with one process: it never speaks. */
export const NO_CHANGES: ChangeFeed = Object.freeze({ subscribe: () => () => undefined });

/**
 * Announces `topic` to every process on the database once the transaction `trx` commits (PostgreSQL; a no-op on
 * SQLite). Outside a transaction it is sent at once. One announcement of a topic per transaction is enough: repeats
 * are folded into one.
 *
 * @example
 * await storage.db.transaction().execute(async (trx) => {
 *   await rotate(trx);
 *   await announceChange(trx, storage.engine, 'server_keys:tokens');
 * });
 */
export async function announceChange(trx: Kysely<Database>, engine: Engine, topic: string): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`select pg_notify(${CHANGE_CHANNEL}, json_build_object('schema', current_schema(), 'topic', ${topic}::text)::text)`.execute(
    trx,
  );
}
