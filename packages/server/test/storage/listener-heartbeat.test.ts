// A change listener whose link died without a word (no reset: a NAT or a firewall dropped it) waited for
// announcements that could not come until TCP keep-alive noticed, about 11 minutes with Linux's defaults, while the
// other instances' revocations and key rotations went unheard. It now asks its session to answer every heartbeat
// period, and one that does not answer in time is a lost connection: reconnected, and everything forgotten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { CHANGE_CHANNEL, EVERYTHING } from '../../src/storage/changes.ts';
import { PgListener } from '../../src/storage/lib/pg-listener.ts';
import { pgRelay } from '../helpers/pg-relay.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { READY_MS, within } from '../helpers/within.ts';

test(
  'a listener whose link went silent is reconnected by its heartbeat',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const relay = await pgRelay(new URL(TEST_DATABASE_URL!));
    const lost: string[] = [];
    const listener = new PgListener(
      { connectionString: relay.url },
      { onLost: (err) => lost.push((err as Error).message), heartbeatMs: 50, heartbeatTimeoutMs: 2000 },
    );
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const heard: string[] = [];
      const off = listener.subscribe((topic) => heard.push(topic));
      await within(READY_MS, 'the listener is up', async () => heard.includes(EVERYTHING));
      const { rows } = await admin.query<{ schema: string }>('select current_schema() as schema');
      const announce = (topic: string) =>
        admin.query('select pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify({ schema: rows[0]!.schema, topic })]);
      await announce('before');
      await within(READY_MS, 'an announcement is heard', async () => heard.includes('before'));
      // Heartbeats answered (one every 50 ms meanwhile): nothing lost while the link holds.
      assert.equal(lost.length, 0, JSON.stringify(lost));

      relay.hangOpen();
      await within(
        READY_MS,
        () => `the silent link is noticed (lost: ${JSON.stringify(lost)})`,
        async () => lost.some((l) => l.startsWith('no answer to a heartbeat within 2000 ms')),
      );
      await within(
        READY_MS,
        'the listener reconnects and forgets everything',
        async () => heard.filter((t) => t === EVERYTHING).length === 2,
      );
      await announce('after');
      await within(READY_MS, 'the new session hears announcements', async () => heard.includes('after'));
      off();
    } finally {
      await listener.close();
      await admin.end();
      await relay.close();
    }
  },
);
