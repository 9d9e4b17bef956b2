// Every Vouch on one PostgreSQL database announces on the same channel; a deployment in another schema (a staging
// copy, a second tenant) must not make this one's caches reload on its changes. The listener hands on only the
// announcements naming its own schema.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { announceChange, EVERYTHING, openStorage } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';

test(
  "a listener hears its own schema's announcements, not another schema's on the same database",
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-own-schema-'));
    const opened: Array<{ storage: Storage; schema: string }> = [];
    t.after(async () => {
      for (const { storage, schema } of opened) {
        await storage.close();
        await dropSchema(TEST_DATABASE_URL!, schema);
      }
      await rm(dataDir, { recursive: true, force: true });
    });
    for (let i = 0; i < 2; i++) {
      const schema = freshSchema();
      const storage = await openStorage({ dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: schema, pgPoolMax: 1 });
      opened.push({ storage, schema });
    }
    const [other, mine] = opened.map((o) => o.storage) as [Storage, Storage];
    const heard: string[] = [];
    let listening!: () => void;
    const connected = new Promise<void>((resolve) => (listening = resolve));
    let ownHeard!: () => void;
    const own = new Promise<void>((resolve) => (ownHeard = resolve));
    mine.changes.subscribe((topic) => {
      heard.push(topic);
      if (topic === EVERYTHING) listening();
      if (topic === 'mine') ownHeard();
    });
    await connected;
    // Committed in this order, so delivered to the listener in this order: 'theirs' arrives before 'mine' if at all.
    await announceChange(other.db, other.engine, 'theirs');
    await announceChange(mine.db, mine.engine, 'mine');
    await own;
    assert.deepEqual(heard, [EVERYTHING, 'mine']);
  },
);
