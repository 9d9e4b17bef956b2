// The change listener's session is idle by design (it only waits for notifications), so an idle_session_timeout the
// operator set for the role, the database or in VOUCH_DATABASE_URL's options (PostgreSQL 14+) must not end it: each
// end lost the announcements until the reconnect, logged a lost connection and made every cache forget everything.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { EVERYTHING, openStorage } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { READY_MS, within } from '../helpers/within.ts';

/** The server's own idle limit on the URL's sessions, ms: short, so the test's probe session meets it soon. */
const IDLE_MS = 1000;

test(
  'an idle_session_timeout does not end the change listener',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-listener-idle-'));
    const schema = freshSchema();
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c idle_session_timeout=${IDLE_MS}`);
    url.searchParams.set('application_name', schema);
    const lost: string[] = [];
    const storage = await openStorage({
      dataDir,
      databaseUrl: url.toString(),
      pgSchema: schema,
      pgPoolMax: 1,
      onConnectionLost: (cause) => lost.push(cause),
    });
    const probe = new pg.Client({ connectionString: url.toString() });
    try {
      const heard: string[] = [];
      const off = storage.changes.subscribe((topic) => heard.push(topic));
      await within(READY_MS, 'the listener is up', async () => heard.includes(EVERYTHING));
      const [before] = await listenerPids(schema);
      assert.ok(before !== undefined, 'the listener backend is found by application_name');
      // A session of the same settings that goes idle after the listener did: once the server has ended it, the
      // listener has been idle longer than the limit.
      const ended = new Promise<void>((resolve) => probe.once('end', () => resolve()));
      probe.on('error', () => undefined);
      await probe.connect();
      await probe.query('select 1');
      await ended;
      assert.deepEqual(
        lost.filter((l) => l.startsWith('change listener')),
        [],
      );
      assert.deepEqual(await listenerPids(schema), [before]);
      assert.deepEqual(heard, [EVERYTHING], 'no reconnect made the caches forget everything');
      off();
    } finally {
      await probe.end().catch(() => undefined);
      await storage.close();
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);

/** The pids of the listener backends whose application_name is `name`. */
async function listenerPids(name: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>(
      "select pid from pg_stat_activity where application_name = $1 and query like 'LISTEN%'",
      [name],
    );
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}
