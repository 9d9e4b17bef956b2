// PostgreSQL: a rotation whose UPDATE of the active key waited behind another rotation that then committed (the row
// is now retired: the UPDATE changes nothing but keeps the row locked) went on to insert its generation; a compromised
// rotation meanwhile retiring and deleting keys waited for that lock, the insert waited for the compromised rotation
// (which had updated the row holding that generation), and PostgreSQL broke the deadlock: a 503 for one of them.
// Seen once in `tokens/race-two-processes` ("a compromised and a routine rotation at two processes at once").
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServerKey, openStorage, rotateServerKey } from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { pausingAfterInsert, pausingAfterUpdate } from '../helpers/interleave.ts';

/** Resolves once a session of this test waits for a lock while running a statement that starts with `prefix`. */
async function waiting(control: Storage, app: string, prefix: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where application_name = ${app} and wait_event_type = 'Lock' and query like ${`${prefix}%`}`.execute(control.db);
    if (rows[0]!.n >= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no session ever waited in ${prefix}`);
}

test(
  'a rotation that lost its active key to a committed rotation gives way, and a compromised rotation racing it completes',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-rot-deadlock-'));
    const schema = freshSchema();
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('application_name', schema);
    const opened: Storage[] = [];
    const open = async () => {
      const s = await openStorage({ dataDir, databaseUrl: url.toString(), pgSchema: schema, pgPoolMax: 3 });
      opened.push(s);
      return s;
    };
    try {
      const kek = randomBytes(32);
      const [sz, sw, sv, control] = [await open(), await open(), await open(), await open()];
      await ensureServerKey(control, kek, 'tokens', 'ES256', 1);
      let z: Promise<unknown> | undefined;
      let v: Promise<unknown> | undefined;
      // Z: its UPDATE of generation 1 waits behind W; once W committed, Z is held right after that UPDATE while V runs
      // until it waits (deleting the retired keys, generation 1 among them).
      const zStorage = pausingAfterUpdate(sz, async () => {
        v = rotateServerKey(sv, kek, 'tokens', 'ES256', 3, undefined, { dropRetired: true }).then(
          (r) => r,
          (e: unknown) => e,
        );
        await waiting(control, schema, 'delete from "server_keys"');
      });
      // W: a routine rotation to generation 2, held after its insert until Z waits behind it, then committed.
      const wStorage = pausingAfterInsert(sw, 'server_keys', async () => {
        z = rotateServerKey(zStorage, kek, 'tokens', 'ES256', 2).then(
          (r) => r,
          (e: unknown) => e,
        );
        await waiting(control, schema, 'update "server_keys"');
      });
      await rotateServerKey(wStorage, kek, 'tokens', 'ES256', 2);
      const [zr, vr] = [await z, await v];
      assert.equal((zr as { code?: string }).code, 'SERVER_KEY_CONFLICT', `Z: ${String(zr)}`);
      assert.ok(!(vr instanceof Error), `V, the compromised rotation, completes: ${String(vr)}`);
      assert.equal((vr as { key: { generation: number } }).key.generation, 3);
    } finally {
      await Promise.allSettled(opened.map((s) => s.close()));
      await dropSchema(TEST_DATABASE_URL!, schema);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
);
