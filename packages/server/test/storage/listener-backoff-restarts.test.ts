// The change listener reconnects after 0.1 s, doubling up to 5 s while attempts fail (docs/operations.md), and a
// session that came up starts the count again: a process that lived through several database restarts still
// reconnects after 0.1 s at the next one, not after the 5 s its earlier losses added up to. Each loss here is
// followed by a successful reconnect, so every reconnect should come after the first, shortest wait.
import { test } from 'node:test';
import { relayedListener } from '../helpers/relayed-listener.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { READY_MS, within } from '../helpers/within.ts';

/** Losses before the one measured: without the reset, the next wait would be 100 ms × 2^7, capped at 5 s. */
const EARLIER_LOSSES = 7;
/** The measured reconnect: its wait is 0.1 s; a new connection on a loaded machine takes a good part of a second. */
const RECONNECTED_MS = 3_000;

test(
  'a listener that reconnected after several losses waits the shortest time again at the next one',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 90_000 },
  async () => {
    const l = await relayedListener();
    const { relay, sessions } = l;
    l.start();
    try {
      await within(READY_MS, 'the listener is up', async () => sessions() === 1);
      for (let loss = 1; loss <= EARLIER_LOSSES; loss++) {
        relay.reset();
        await within(READY_MS, `the listener is back after loss ${loss}`, async () => sessions() === loss + 1);
      }
      relay.reset();
      await within(
        RECONNECTED_MS,
        'the listener is back after its first, shortest wait',
        async () => sessions() === EARLIER_LOSSES + 2,
      );
    } finally {
      await l.close();
    }
  },
);
