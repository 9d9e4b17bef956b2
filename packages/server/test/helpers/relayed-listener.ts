// A change listener whose session runs through a pgRelay (so a test can reset, hang or silence its link), with what
// it heard and lost recorded, and announcements sent on a direct connection: shared by the listener tests.
import pg from 'pg';
import { CHANGE_CHANNEL, EVERYTHING } from '../../src/storage/changes.ts';
import { PgListener } from '../../src/storage/lib/pg-listener.ts';
import type { PgListenerOptions } from '../../src/storage/lib/pg-listener.ts';
import { pgRelay } from './pg-relay.ts';
import type { PgRelay } from './pg-relay.ts';
import { TEST_DATABASE_URL } from './storage.ts';

export interface RelayedListener {
  relay: PgRelay;
  listener: PgListener;
  /** The message of each loss, in order. */
  lost: string[];
  /** Every topic heard since {@link RelayedListener.start}. */
  heard: string[];
  /** Subscribes, which starts the listener (its first session). */
  start(): void;
  /** Sessions the listener has brought up: each says "everything" once it listens. */
  sessions(): number;
  /** Announces `topic` on the listener's schema, from a connection of its own (not through the relay). */
  announce(topic: string): Promise<void>;
  /** Unsubscribes, closes the listener, the announcing connection and the relay. */
  close(): Promise<void>;
}

/** A listener through a new relay to the test database (TEST_DATABASE_URL must be set). */
export async function relayedListener(options: Omit<PgListenerOptions, 'onLost'> = {}): Promise<RelayedListener> {
  const relay = await pgRelay(new URL(TEST_DATABASE_URL!));
  const lost: string[] = [];
  const heard: string[] = [];
  const listener = new PgListener(
    { connectionString: relay.url },
    { ...options, onLost: (err) => lost.push((err as Error).message) },
  );
  let off: (() => void) | undefined;
  let admin: { client: pg.Client; schema: string } | undefined;
  return {
    relay,
    listener,
    lost,
    heard,
    start: () => void (off = listener.subscribe((topic) => heard.push(topic))),
    sessions: () => heard.filter((t) => t === EVERYTHING).length,
    async announce(topic) {
      if (admin === undefined) {
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
        admin = { client, schema: rows[0]!.schema };
      }
      await admin.client.query('select pg_notify($1, $2)', [
        CHANGE_CHANNEL,
        JSON.stringify({ schema: admin.schema, topic }),
      ]);
    },
    async close() {
      off?.();
      await listener.close();
      await admin?.client.end();
      await relay.close();
    },
  };
}
