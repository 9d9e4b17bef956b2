// Gaps found by mutation testing in storage/server-keys.ts lockActiveServerKey: what a signer checks, in the
// transaction that records what it signs, before it hands a signature out. It answers false for a retired (or
// unknown) key, and on PostgreSQL it holds a share lock on the key's row, so a rotation waits for the signer's
// transaction: once the rotation commits, every token the retired key signed is visible. And a stored key whose
// opened private half is not the key its kid names (sealed under that kid, e.g. by a faulty import) is refused.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import {
  ensureServerKey,
  listServerKeys,
  lockActiveServerKey,
  openStorage,
  rotateServerKey,
} from '../../src/storage/index.ts';
import { seal } from '../../src/storage/secret-box.ts';
import type { Database } from '../../src/storage/index.ts';
import { dropSchema, freshSchema } from '../helpers/pg-schema.ts';
import { eachEngine, PG_SKIP_REASON, TEST_DATABASE_URL } from '../helpers/storage.ts';
import { blockedBehind } from '../helpers/interleave.ts';

const T0 = 1_750_000_000_000;
const kek = randomBytes(32);

async function backendPid(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return rows[0]!.pid;
}

eachEngine(
  'lockActiveServerKey: true for the active key only, false once retired or for an unknown kid',
  async ({ open }) => {
    const storage = await open();
    const first = await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
    const check = (kid: string) =>
      storage.db.transaction().execute((trx) => lockActiveServerKey(trx, storage.engine, kid));
    assert.equal(await check(first.kid), true);
    assert.equal(await check('no-such-kid'), false);
    const { key: second } = await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 1);
    assert.equal(await check(first.kid), false, 'a retired key signs nothing more');
    assert.equal(await check(second.kid), true);
  },
);

// PostgreSQL only: SQLite runs one writing transaction at a time, so a rotation cannot overlap a signer there.
test(
  'a rotation waits for a transaction that holds the active key (PostgreSQL share lock)',
  { skip: TEST_DATABASE_URL === undefined ? PG_SKIP_REASON : false, timeout: 60_000 },
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vouch-key-lock-'));
    const options = { dataDir, databaseUrl: TEST_DATABASE_URL, pgSchema: freshSchema() };
    const storage = await openStorage(options);
    const other = await openStorage(options); // the rotating process
    t.after(async () => {
      await Promise.allSettled([storage.close(), other.close()]);
      await dropSchema(TEST_DATABASE_URL!, options.pgSchema);
      await rm(dataDir, { recursive: true, force: true });
    });
    const first = await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holder!: number;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const order: string[] = [];
    const signer = storage.db.transaction().execute(async (trx) => {
      assert.equal(await lockActiveServerKey(trx, storage.engine, first.kid), true);
      holder = await backendPid(trx);
      holding();
      await released;
      order.push('signer committed');
    });
    await held;
    const rotation = rotateServerKey(other, kek, 'tokens', 'ES256', T0 + 1).then((r) => {
      order.push('rotation committed');
      return r;
    });
    // The rotation's update of the key's row queues behind the signer's share lock (a rotation that does not wait
    // commits first and ends the race at once).
    let outcome: string;
    try {
      const waited = blockedBehind(storage.db, holder, 1).then(() => 'the rotation waits');
      waited.catch(() => undefined);
      outcome = await Promise.race([waited, rotation.then(() => 'the rotation committed under the signer')]);
    } finally {
      release();
    }
    assert.equal(outcome, 'the rotation waits');
    await signer;
    const { retired } = await rotation;
    assert.deepEqual(retired, [first.kid]);
    assert.deepEqual(order, ['signer committed', 'rotation committed']);
  },
);

eachEngine(
  'a row whose private key, though sealed under its kid, is another key is refused, not published',
  async ({ open }) => {
    const storage = await open();
    const real = await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
    // Another P-256 key, sealed with the right KEK and bound to the real kid: it opens, but its thumbprint differs.
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const sealed = seal(kek, other.export({ format: 'der', type: 'pkcs8' }), real.kid);
    await sql`update server_keys set private_sealed = ${sealed} where kid = ${real.kid}`.execute(storage.db);
    await assert.rejects(listServerKeys(storage, kek, 'tokens'), {
      code: 'SERVER_KEY_CONFLICT',
      message: `The stored server key ${real.kid} does not match its kid.`,
    });
    await assert.rejects(ensureServerKey(storage, kek, 'tokens', 'ES256', T0), { code: 'SERVER_KEY_CONFLICT' });
  },
);
