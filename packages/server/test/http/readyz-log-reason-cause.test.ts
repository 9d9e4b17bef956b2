// /readyz logs why it is not ready: "the database's reason (its code and first line)". But storage.ping() never
// throws the driver's error: it wraps it in StorageError DATABASE_UNAVAILABLE ("The postgres database did not
// answer."), the driver's error as its `cause`. The tests faked ping() with the driver's error itself, and with the
// real ping the log said only DATABASE_UNAVAILABLE, whatever the reason (refused, reset, timed out). It now names
// the cause's code and first line after the wrapper's, within the same 300 characters.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage, StorageError } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { pgRelay } from '../helpers/pg-relay.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { eachEngine, PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

function notReadyReasons(t: TestApp): unknown[] {
  return t.logs.lines
    .map((l) => JSON.parse(l) as { msg?: string; reason?: unknown })
    .filter((l) => l.msg !== undefined && /not ready/.test(l.msg))
    .map((l) => l.reason);
}

eachEngine("readyz logs the cause of ping's DATABASE_UNAVAILABLE, capped", async ({ open }) => {
  const storage = await open();
  let cause: Error | undefined;
  // Thrown as the real ping() throws: the driver's error as the cause of a StorageError.
  const failing: Storage = Object.create(storage, {
    ping: {
      value: async () => {
        if (cause === undefined) return storage.ping();
        throw new StorageError('DATABASE_UNAVAILABLE', `The ${storage.engine} database did not answer.`, { cause });
      },
    },
  }) as Storage;
  const t = await makeApp(failing);
  try {
    cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1\nsecond line'), { code: 'ECONNREFUSED' });
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    const wrapper = `DATABASE_UNAVAILABLE: The ${storage.engine} database did not answer.`;
    assert.deepEqual(notReadyReasons(t), [`${wrapper} (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)`]);

    // Back, then down again with a long cause: still one line of at most 300 characters.
    cause = undefined;
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    cause = new Error('y'.repeat(5000));
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    const long = notReadyReasons(t)[1] as string;
    assert.equal(long, `${wrapper} (${'y'.repeat(5000)}`.slice(0, 300));
  } finally {
    await t.app.close();
    await storage.close();
  }
});

test(
  'readyz logs why PostgreSQL does not answer, not only that it does not',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const link = await pgRelay(new URL(TEST_DATABASE_URL!));
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-readyz-cause-'));
    const schema = freshSchema();
    const storage = await openStorage({ dataDir, databaseUrl: link.url, pgSchema: schema, pgPoolMax: 1 });
    const t = await makeApp(storage);
    try {
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      // The relay stops listening and resets every link: no connection gets through any more.
      await link.close();
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
      const [reason] = notReadyReasons(t);
      // Which of the driver's errors comes first (refused, reset, terminated) is the driver's affair: one is named.
      assert.match(String(reason), /^DATABASE_UNAVAILABLE: The postgres database did not answer\. \(.+\)$/);
    } finally {
      await t.app.close();
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
