// A change listener whose session went silent after it connected but before its LISTEN was answered (a failover, a
// link that died right after authentication) waited for that answer for good: the heartbeat starts only once the
// LISTEN is in, and TCP keep-alive sees a healthy link (here the relay's; in production a frozen server's). Nothing was
// heard, "everything" was never said, and other instances' changes reached this process only through cache lifetimes.
// The set-up is now bounded like a heartbeat: unanswered within the heartbeat timeout, the session counts as lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { CHANGE_CHANNEL, EVERYTHING } from '../../src/storage/changes.ts';
import { PgListener } from '../../src/storage/lib/pg-listener.ts';
import { pgRelay } from '../helpers/pg-relay.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { READY_MS, within } from '../helpers/within.ts';

test(
  'a listener whose session never answers its set-up is reconnected, then hears announcements',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const relay = await pgRelay(new URL(TEST_DATABASE_URL!));
    const lost: string[] = [];
    const listener = new PgListener(
      { connectionString: relay.url },
      { onLost: (err) => lost.push((err as Error).message), heartbeatMs: 60_000, heartbeatTimeoutMs: 1000 },
    );
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      // The first session connects and authenticates; its first statement is never answered.
      relay.hangAtNextQuery();
      const heard: string[] = [];
      const off = listener.subscribe((topic) => heard.push(topic));
      await within(
        READY_MS,
        () => `the unanswered set-up is given up and the listener reconnects (lost: ${JSON.stringify(lost)})`,
        async () => heard.includes(EVERYTHING),
      );
      assert.deepEqual(lost, ['no answer to the listener set-up within 1000 ms']);
      const { rows } = await admin.query<{ schema: string }>('select current_schema() as schema');
      await admin.query('select pg_notify($1, $2)', [
        CHANGE_CHANNEL,
        JSON.stringify({ schema: rows[0]!.schema, topic: 'after' }),
      ]);
      await within(READY_MS, 'the new session hears announcements', async () => heard.includes('after'));
      off();
    } finally {
      await listener.close();
      await admin.end();
      await relay.close();
    }
  },
);
