// `rewrapKek`: every server key re-sealed under a new KEK in one transaction, refusals that change nothing, and a
// process still holding the old KEK unable to seal a key afterwards.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { sql } from 'kysely';
import {
  checkKek,
  ensureServerKey,
  importServerKey,
  listServerKeys,
  rewrapKek,
  rotateServerKey,
  StorageError,
} from '../../src/storage/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { assertSignsWith } from '../helpers/keys.ts';
import { blockedBehind, pausingAfterCommit, pausingAfterSelect } from '../helpers/interleave.ts';

const T0 = 1_750_000_000_000;

/** Three keys under `kek`: two generations of one purpose (one retired) and one EdDSA key. */
async function seeded(storage: Storage, kek: Buffer): Promise<string[]> {
  await checkKek(storage, kek, T0);
  await ensureServerKey(storage, kek, 'tokens', 'ES256', T0);
  await rotateServerKey(storage, kek, 'tokens', 'ES256', T0 + 1);
  await ensureServerKey(storage, kek, 'receipts', 'EdDSA', T0);
  return (await listServerKeys(storage, kek)).map((k) => k.kid).sort();
}

async function sealedColumns(storage: Storage): Promise<string[]> {
  const rows = await storage.db.selectFrom('server_keys').select('private_sealed').orderBy('kid').execute();
  return rows.map((r) => r.private_sealed);
}

/** The seeded keys re-wrapped from a first KEK to a second at T0 + 5, as `vouch kek rewrap` does. */
async function rewrapped(storage: Storage): Promise<{ storage: Storage; oldKek: Buffer; newKek: Buffer }> {
  const oldKek = randomBytes(32);
  const newKek = randomBytes(32);
  await seeded(storage, oldKek);
  await rewrapKek(storage, oldKek, newKek, T0 + 5);
  return { storage, oldKek, newKek };
}

function assertCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof StorageError && err.code === code;
}

eachEngine('rewrapKek re-seals every key: the new KEK opens them all, the old one opens none', async ({ open }) => {
  const storage = await open();
  const oldKek = randomBytes(32);
  const newKek = randomBytes(32);
  const kids = await seeded(storage, oldKek);
  const before = await sealedColumns(storage);

  assert.deepEqual(await rewrapKek(storage, oldKek, newKek, T0 + 5), { keys: 3 });

  const after = await listServerKeys(storage, newKek);
  assert.deepEqual(after.map((k) => k.kid).sort(), kids);
  assert.deepEqual(
    after.map((k) => k.status).sort(),
    ['active', 'active', 'retired'],
    'statuses and generations are untouched',
  );
  after.forEach(assertSignsWith);
  const sealed = await sealedColumns(storage);
  assert.ok(sealed.every((s, i) => s !== before[i]));
  // The old KEK opens nothing, and is named as replaced (the process holding it must restart), not the keys as damaged.
  await assert.rejects(listServerKeys(storage, oldKek), assertCode('KEK_MISMATCH'));
  await checkKek(storage, newKek, T0 + 6);
  await assert.rejects(checkKek(storage, oldKek, T0 + 6), assertCode('KEK_MISMATCH'));
  const audit = await storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'kek.rewrap').execute();
  assert.equal(audit.length, 1);
  assert.deepEqual(JSON.parse(audit[0]!.details!), { resealed: 3 });
  assert.ok(!JSON.stringify(audit).includes(newKek.toString('hex')));
});

eachEngine('refused re-wraps change nothing: wrong old KEK, same KEK, a key that does not open', async ({ open }) => {
  const storage = await open();
  const kek = randomBytes(32);
  await seeded(storage, kek);
  const before = await sealedColumns(storage);
  const check = async () =>
    (await storage.db.selectFrom('meta').select('value').where('key', '=', 'kek_check').executeTakeFirstOrThrow())
      .value;
  const checkBefore = await check();

  await assert.rejects(rewrapKek(storage, randomBytes(32), randomBytes(32), T0), assertCode('KEK_MISMATCH'));
  await assert.rejects(rewrapKek(storage, kek, Buffer.from(kek), T0), assertCode('KEK_UNCHANGED'));
  await assert.rejects(rewrapKek(storage, kek, randomBytes(31), T0), assertCode('KEK_INVALID'));
  // One row sealed under another key: the transaction stops there and rolls back the rows and the check before it.
  const stray = await storage.db
    .selectFrom('server_keys')
    .select('kid')
    .orderBy('kid', 'desc')
    .executeTakeFirstOrThrow();
  const foreign = before.at(-1)!.replace(/^v1\.[^.]+/, `v1.${randomBytes(12).toString('base64url')}`);
  await storage.db.updateTable('server_keys').set({ private_sealed: foreign }).where('kid', '=', stray.kid).execute();
  await assert.rejects(rewrapKek(storage, kek, randomBytes(32), T0), assertCode('SEALED_INVALID'));
  assert.deepEqual((await sealedColumns(storage)).slice(0, -1), before.slice(0, -1));
  assert.equal(await check(), checkBefore);
  const audit = await storage.db.selectFrom('audit_log').selectAll().where('action', '=', 'kek.rewrap').execute();
  assert.equal(audit.length, 0);
});

eachEngine(
  'after a re-wrap, a process still holding the old KEK cannot rotate (no key sealed under it)',
  async ({ open }) => {
    const { storage, oldKek, newKek } = await rewrapped(await open());
    await assert.rejects(rotateServerKey(storage, oldKek, 'tokens', 'ES256', T0 + 6), assertCode('KEK_MISMATCH'));
    assert.equal((await listServerKeys(storage, newKek)).length, 3);
    const rotated = await rotateServerKey(storage, newKek, 'tokens', 'ES256', T0 + 7);
    assert.equal((await listServerKeys(storage, newKek)).length, 4);
    assert.ok(rotated);
  },
);

eachEngine(
  'after a re-wrap, a process still holding the old KEK cannot create or import the first key of a purpose',
  async ({ open }) => {
    const { storage, oldKek, newKek } = await rewrapped(await open());
    await assert.rejects(ensureServerKey(storage, oldKek, 'capability', 'EdDSA', T0 + 6), assertCode('KEK_MISMATCH'));
    const imported = generateKeyPairSync('ed25519').privateKey;
    await assert.rejects(
      importServerKey(storage, oldKek, 'registry-root', 'EdDSA', imported, T0 + 6),
      assertCode('KEK_MISMATCH'),
    );
    assert.equal((await listServerKeys(storage, newKek)).length, 3, 'nothing sealed under the old KEK');
    // The process holding the new KEK creates and imports them.
    const created = await ensureServerKey(storage, newKek, 'capability', 'EdDSA', T0 + 7);
    const root = await importServerKey(storage, newKek, 'registry-root', 'EdDSA', imported, T0 + 7);
    assert.equal((await listServerKeys(storage, newKek)).length, 5);
    assertSignsWith(created);
    assertSignsWith(root);
  },
);

eachEngine(
  'rotations racing re-wraps from another connection never leave a key sealed under a retired KEK',
  async ({ open }) => {
    const a = await open();
    const b = await open();
    const keks = [randomBytes(32), randomBytes(32)];
    await seeded(a, keks[0]!);
    let current = 0;
    for (let round = 0; round < 12; round++) {
      const next = 1 - current;
      const [rotation, rewrap] = await Promise.allSettled([
        rotateServerKey(a, keks[current]!, 'tokens', 'ES256', T0 + 10 + round),
        rewrapKek(b, keks[current]!, keks[next]!, T0 + 10 + round),
      ]);
      assert.equal(rewrap.status, 'fulfilled', String((rewrap as PromiseRejectedResult).reason));
      // The rotation either committed first (and the re-wrap re-sealed its key) or saw the new KEK and refused.
      if (rotation.status === 'rejected')
        assert.ok(assertCode('KEK_MISMATCH')(rotation.reason), String(rotation.reason));
      current = next;
      const keys = await listServerKeys(a, keks[current]!);
      keys.forEach(assertSignsWith);
      await checkKek(a, keks[current]!, T0 + 20);
    }
  },
);

eachEngine(
  'a rotation, creation or import that committed reports its key even when a re-wrap commits right after it',
  async ({ open }) => {
    const a = await open();
    const b = await open();
    const keks = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)];
    await seeded(a, keks[0]!);
    let step = 0;
    // After each committed transaction of `a`, `b` re-wraps to the next KEK before `a`'s caller goes on.
    const racing = pausingAfterCommit(a, async () => {
      await rewrapKek(b, keks[step]!, keks[step + 1]!, T0 + 30 + step);
      step++;
    });

    const rotated = await rotateServerKey(racing, keks[0]!, 'tokens', 'ES256', T0 + 20);
    assertSignsWith(rotated.key);
    assert.equal(rotated.key.status, 'active');
    assert.equal(rotated.key.generation, 3);
    assert.equal(rotated.retired.length, 1);

    const created = await ensureServerKey(racing, keks[1]!, 'capability', 'EdDSA', T0 + 21);
    assertSignsWith(created);
    assert.equal(created.purpose, 'capability');

    const imported = generateKeyPairSync('ed25519').privateKey;
    const root = await importServerKey(racing, keks[2]!, 'registry-root', 'EdDSA', imported, T0 + 22);
    assertSignsWith(root);
    assert.equal(root.purpose, 'registry-root');

    assert.equal(step, 3, 'a re-wrap landed after each of the three commits');
    const stored = await listServerKeys(a, keks[3]!);
    assert.deepEqual(
      [rotated.key.kid, created.kid, root.kid].map((kid) => stored.some((k) => k.kid === kid)),
      [true, true, true],
      'each reported key is stored, re-sealed under the newest KEK',
    );
  },
);

eachEngine(
  'a re-wrap that starts once a rotation has checked the KEK waits for that rotation, and re-seals its key',
  async ({ open, engine, options }) => {
    const a = await open();
    const b = await open();
    const [oldKek, newKek] = [randomBytes(32), randomBytes(32)];
    await seeded(a, oldKek);
    let rewrap: Promise<unknown> | undefined;
    // Right after the rotation read the KEK's check row, in its transaction, before it seals and inserts its key.
    const rotating = pausingAfterSelect(a, 'meta', async () => {
      if (engine === 'sqlite') {
        // The rotation's transaction holds the write lock: the re-wrap waits for it.
        rewrap = rewrapKek(b, oldKek, newKek, T0 + 11);
        return;
      }
      // PostgreSQL: the rotation's session, the one session with a lock on this schema's meta until the re-wrap starts.
      const { rows } = await sql<{ pid: number }>`select distinct l.pid from pg_locks l
        join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${options.pgSchema} and c.relname = 'meta' and l.granted`.execute(b.db);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      rewrap = rewrapKek(b, oldKek, newKek, T0 + 11);
      // It holds its read of the check row FOR SHARE, so the re-wrap's update of that row waits for it.
      const waiting = blockedBehind(b.db, rows[0]!.pid, 1).catch(() => undefined);
      await Promise.race([rewrap.catch(() => undefined), waiting]);
    });
    const rotated = await rotateServerKey(rotating, oldKek, 'tokens', 'ES256', T0 + 10);
    await rewrap;
    const keys = await listServerKeys(a, newKek);
    keys.forEach(assertSignsWith);
    assert.ok(
      keys.some((k) => k.kid === rotated.key.kid),
      'the rotated key is re-sealed under the new KEK',
    );
  },
);
