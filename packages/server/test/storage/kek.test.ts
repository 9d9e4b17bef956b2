import { mkdtemp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { checkKek, loadKek, openStorage, StorageError } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';

const T0 = 1_750_000_000_000;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vouch-kek-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh SQLite database (no KEK check value yet) beside `dataDir`, so a missing KEK file may be created. */
async function freshStorage(t: TestContext) {
  const storage = await openStorage({ dataDir: await tempDir(t) });
  t.after(() => storage.close());
  return storage;
}

test('on SQLite without a file the KEK is created at <dataDir>/kek.key, mode 0600, 64 hex + newline', async (t) => {
  const dataDir = join(await tempDir(t), 'data');
  const storage = await freshStorage(t);
  const kek = await loadKek({ dataDir, engine: 'sqlite', storage });
  assert.equal(kek.length, 32);
  const file = join(dataDir, 'kek.key');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(await readFile(file, 'utf8'), `${kek.toString('hex')}\n`);
  assert.deepEqual(await loadKek({ dataDir, engine: 'sqlite', storage }), kek);
  assert.deepEqual(await readdir(dataDir), ['kek.key']); // no temporary file left behind
});

test('concurrent first loads all get one key (the first file to land wins)', async (t) => {
  const dataDir = await tempDir(t);
  const storage = await freshStorage(t);
  const keks = await Promise.all(Array.from({ length: 20 }, () => loadKek({ dataDir, engine: 'sqlite', storage })));
  assert.equal(new Set(keks.map((k) => k.toString('hex'))).size, 1);
  assert.deepEqual(await readFile(join(dataDir, 'kek.key'), 'utf8'), `${keks[0]?.toString('hex')}\n`);
  assert.deepEqual(await readdir(dataDir), ['kek.key']);
});

test('PostgreSQL without VOUCH_KEK_FILE is KEK_REQUIRED, naming the variable', async (t) => {
  const dataDir = await tempDir(t);
  for (const kekFile of [undefined, '']) {
    const err = await loadKek({ dataDir, kekFile, engine: 'postgres' }).catch((e: unknown) => e);
    assert.ok(err instanceof StorageError);
    assert.equal(err.code, 'KEK_REQUIRED');
    assert.match(err.message, /VOUCH_KEK_FILE/);
  }
  assert.deepEqual(await readdir(dataDir), []);
});

test('an explicit kekFile is used on either engine; absent, it is created (0600) on SQLite only', async (t) => {
  const dir = await tempDir(t);
  const kekFile = join(dir, 'secrets', 'vouch.kek');
  await assert.rejects(loadKek({ dataDir: join(dir, 'data'), kekFile, engine: 'postgres' }), { code: 'KEK_REQUIRED' });
  const kek = await loadKek({ dataDir: join(dir, 'data'), kekFile, engine: 'sqlite', storage: await freshStorage(t) });
  assert.equal((await stat(kekFile)).mode & 0o777, 0o600);
  assert.deepEqual(await loadKek({ dataDir: join(dir, 'data'), kekFile, engine: 'postgres' }), kek);
});

test('hex (any case), base64 and base64url of 32 bytes are accepted, surrounding whitespace ignored', async (t) => {
  const dir = await tempDir(t);
  const key = randomBytes(32);
  const spellings = [
    key.toString('hex'),
    `  ${key.toString('hex').toUpperCase()}\r\n`,
    `${key.toString('base64')}\n`,
    key.toString('base64url'),
  ];
  for (const [i, text] of spellings.entries()) {
    const kekFile = join(dir, `k${i}`);
    await writeFile(kekFile, text, { mode: 0o600 });
    assert.deepEqual(await loadKek({ dataDir: dir, kekFile, engine: 'postgres' }), key);
  }
});

test('wrong lengths, garbage, non-canonical base64, directories and large files are KEK_INVALID', async (t) => {
  const dir = await tempDir(t);
  const key = randomBytes(32);
  const bad = [
    '',
    '\n',
    key.toString('hex').slice(2),
    `${key.toString('hex')}00`,
    `${key.toString('hex').slice(0, 63)}g`,
    randomBytes(31).toString('base64'),
    randomBytes(33).toString('base64'),
    `${'A'.repeat(42)}B=`, // 32 zero bytes with non-zero trailing bits: decodable, but not the canonical spelling
    `${'A'.repeat(42)}B`,
    `${key.toString('hex')} ${key.toString('hex')}`,
    'not a key at all',
  ];
  for (const [i, text] of bad.entries()) {
    const kekFile = join(dir, `bad${i}`);
    await writeFile(kekFile, text);
    const err = await loadKek({ dataDir: dir, kekFile, engine: 'sqlite' }).catch((e: unknown) => e);
    assert.ok(err instanceof StorageError, `case ${i} was accepted`);
    assert.equal(err.code, 'KEK_INVALID');
    if (text.trim().length > 8) assert.ok(!err.message.includes(text.trim()), 'the content is never echoed');
  }
  const asDir = join(dir, 'dir');
  await mkdir(asDir);
  await assert.rejects(loadKek({ dataDir: dir, kekFile: asDir, engine: 'sqlite' }), { code: 'KEK_INVALID' });
  const big = join(dir, 'big');
  await writeFile(big, 'a'.repeat(10_000));
  await assert.rejects(loadKek({ dataDir: dir, kekFile: big, engine: 'sqlite' }), { code: 'KEK_INVALID' });
});

eachEngine('checkKek records the check once and refuses another key with KEK_MISMATCH', async ({ open }) => {
  const a = await open();
  const b = await open();
  const kek = randomBytes(32);
  // Two processes starting at once with the same key both pass.
  await Promise.all([checkKek(a, kek, T0), checkKek(b, kek, T0 + 1)]);
  await checkKek(a, kek, T0 + 2);
  const rows = await a.db.selectFrom('meta').selectAll().where('key', '=', 'kek_check').execute();
  assert.equal(rows.length, 1);
  assert.ok(rows[0]?.created_at === T0 || rows[0]?.created_at === T0 + 1);
  assert.ok(!rows[0]?.value.includes(kek.toString('hex')) && !rows[0]?.value.includes(kek.toString('base64url')));
  // Audited once, by the process whose insert landed, at the time it recorded.
  const bound = await a.db
    .selectFrom('audit_log')
    .select(['at', 'actor', 'target'])
    .where('action', '=', 'kek.bind')
    .execute();
  assert.deepEqual(bound, [{ at: rows[0]!.created_at, actor: 'system', target: null }]);

  const other = randomBytes(32);
  const err = await checkKek(b, other, T0).catch((e: unknown) => e);
  assert.ok(err instanceof StorageError);
  assert.equal(err.code, 'KEK_MISMATCH');
  assert.match(err.message, /VOUCH_KEK_FILE/);
  await assert.rejects(checkKek(a, Buffer.alloc(16), T0), { code: 'KEK_INVALID' });
});
