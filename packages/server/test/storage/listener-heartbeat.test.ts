// A change listener whose link died without a word (no reset: a NAT or a firewall dropped it) waited for
// announcements that could not come until TCP keep-alive noticed, about 11 minutes with Linux's defaults, while the
// other instances' revocations and key rotations went unheard. It now asks its session to answer every heartbeat
// period, and one that does not answer in time is a lost connection: reconnected, and everything forgotten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relayedListener } from '../helpers/relayed-listener.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { READY_MS, within } from '../helpers/within.ts';

test(
  'a listener whose link went silent is reconnected by its heartbeat',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const l = await relayedListener({ heartbeatMs: 50, heartbeatTimeoutMs: 2000 });
    try {
      l.start();
      await within(READY_MS, 'the listener is up', async () => l.sessions() === 1);
      await l.announce('before');
      await within(READY_MS, 'an announcement is heard', async () => l.heard.includes('before'));
      // Heartbeats answered (one every 50 ms meanwhile): nothing lost while the link holds.
      assert.equal(l.lost.length, 0, JSON.stringify(l.lost));

      l.relay.hangOpen();
      await within(
        READY_MS,
        () => `the silent link is noticed (lost: ${JSON.stringify(l.lost)})`,
        async () => l.lost.some((m) => m.startsWith('no answer to a heartbeat within 2000 ms')),
      );
      await within(READY_MS, 'the listener reconnects and forgets everything', async () => l.sessions() === 2);
      await l.announce('after');
      await within(READY_MS, 'the new session hears announcements', async () => l.heard.includes('after'));
    } finally {
      await l.close();
    }
  },
);
