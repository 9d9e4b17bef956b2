// A change listener whose session went silent after it connected but before its LISTEN was answered (a failover, a
// link that died right after authentication) waited for that answer for good: the heartbeat starts only once the
// LISTEN is in, and TCP keep-alive sees a healthy link (here the relay's; in production a frozen server's). Nothing was
// heard, "everything" was never said, and other instances' changes reached this process only through cache lifetimes.
// The set-up is now bounded like a heartbeat: unanswered within the heartbeat timeout, the session counts as lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVERYTHING } from '../../src/storage/changes.ts';
import { relayedListener } from '../helpers/relayed-listener.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { READY_MS, within } from '../helpers/within.ts';

test(
  'a listener whose session never answers its set-up is reconnected, then hears announcements',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const l = await relayedListener({ heartbeatMs: 60_000, heartbeatTimeoutMs: 1000 });
    try {
      // The first session connects and authenticates; its first statement is never answered.
      l.relay.hangAtNextQuery();
      l.start();
      await within(
        READY_MS,
        () => `the unanswered set-up is given up and the listener reconnects (lost: ${JSON.stringify(l.lost)})`,
        async () => l.heard.includes(EVERYTHING),
      );
      assert.deepEqual(l.lost, ['no answer to the listener set-up within 1000 ms']);
      await l.announce('after');
      await within(READY_MS, 'the new session hears announcements', async () => l.heard.includes('after'));
    } finally {
      await l.close();
    }
  },
);
