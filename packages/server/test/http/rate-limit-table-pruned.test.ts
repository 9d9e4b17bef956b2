// The rate_limits table holds windows that modules count in the database on both engines (signatures recorded per
// agent DID, one certification marker per signature and address per UTC day), besides the shared route limits on
// PostgreSQL. The store start.ts makes (rateLimitStoreFor) is what its minute's housekeeping prunes: on SQLite it
// was the in-memory store, whose prune never touched the table, so those rows piled up for good there.
import assert from 'node:assert/strict';
import { hitRateLimit } from '../../src/storage/index.ts';
import { rateLimitStoreFor } from '../../src/http/rate-limit.ts';
import { eachEngine } from '../helpers/storage.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12);

eachEngine('the rate-limit store of a deployment prunes ended windows from the rate_limits table', async ({ open }) => {
  const storage = await open();
  const store = rateLimitStoreFor(storage, { clockSkewSeconds: 60 }); // the default VOUCH_CLOCK_SKEW
  try {
    await hitRateLimit(storage.db, 'signatures.sign|agent-1', MINUTE, T0);
    await hitRateLimit(storage.db, 'signatures.certify|sig|certifier', DAY, T0);
    const buckets = async () =>
      (await storage.db.selectFrom('rate_limits').select('bucket').orderBy('bucket').execute()).map((r) => r.bucket);

    // The minute's window ended a minute ago (windows are kept one more window: rate-limit-prune-skew.test.ts), the
    // day's has not ended.
    await store.prune(T0 + 2 * MINUTE);
    assert.deepEqual(await buckets(), ['signatures.certify|sig|certifier']);
    // A day after the day ended, nothing is left.
    await store.prune(T0 + 2 * DAY);
    assert.deepEqual(await buckets(), []);
  } finally {
    await store.close?.();
  }
});
