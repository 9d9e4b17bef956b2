import { createHmac, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Engine } from './engine.ts';
import { StorageError, translateErrors } from './errors.ts';
import { constantTimeEqual } from '@vouch/sdk';
import { assertNonNegativeInteger } from './lib/validate.ts';
import { recordAudit } from './audit.ts';
import type { Storage } from './open.ts';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { createFileWhole, errnoCode, readRegularFile } from '../files/index.ts';

/** Default file name, inside the data directory, on SQLite. */
export const KEK_FILE_NAME = 'kek.key';
const KEK_BYTES = 32;
/** A key file is one line; anything much larger is not ours and is refused unread. */
const MAX_FILE_BYTES = 1024;
const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const BASE64URL = /^[A-Za-z0-9_-]{43}$/;
/** The meta row holding the KEK's check value (kek-rewrap.ts replaces it). */
export const CHECK_META_KEY = 'kek_check';
const CHECK_LABEL = 'vouch-kek-check';

interface KekLocation {
  kekFile?: string;
  dataDir: string;
  engine: Engine;
}

/** The key-encryption key and where it came from. */
export interface LoadedKek {
  key: Buffer;
  file: string;
  /** True when this call created the file (a fresh SQLite database); the caller logs it. */
  created: boolean;
}

/**
 * Returns the 32-byte key-encryption key that seals server private keys at rest.
 *
 * The file is `kekFile` (`VOUCH_KEK_FILE`) or, on SQLite only, `<dataDir>/kek.key`; PostgreSQL requires
 * `kekFile` because every process must share one key. The file holds 64 hex characters or base64 of 32 bytes,
 * plus optional whitespace. The key is never printed.
 *
 * A missing file is created (a fresh random key, mode 0600) only on SQLite, and only when `storage` holds no KEK
 * check value yet: a fresh database. Otherwise it is `KEK_REQUIRED`: with PostgreSQL the file is created once by
 * the operator and shared (a mis-mounted path must not start a deployment on a key that vanishes with the
 * container), and a database already sealed under a key needs that key restored, not a new one. Without `storage`
 * nothing is created. When several processes create the file at once, all of them end up with the first one's key.
 *
 * @example
 * ```ts
 * const kek = await loadKek({ kekFile: process.env.VOUCH_KEK_FILE, dataDir: './data', engine: 'sqlite', storage });
 * await checkKek(storage, kek, Date.now());
 * ```
 */
export async function loadKek(opts: KekLocation & { storage?: Storage }): Promise<Buffer> {
  return (await loadKekFile(opts)).key;
}

/** {@link loadKek}, also saying which file it read and whether it created it. */
export async function loadKekFile(opts: KekLocation & { storage?: Storage }): Promise<LoadedKek> {
  const file = kekFilePath(opts);
  // The database first: the check row is written only after the file exists, so a process that finds no row and
  // then no file is on a fresh database, whatever another process starting at the same moment does.
  const fresh = opts.engine === 'sqlite' && opts.storage !== undefined && !(await hasKekCheck(opts.storage));
  const key = await readKekFile(file, kekSettingOf(opts));
  if (key !== undefined) return { key, file, created: false };
  if (opts.engine === 'postgres') throw postgresKekMissing(file);
  if (opts.storage === undefined) {
    throw new StorageError('KEK_REQUIRED', `There is no key-encryption key file at ${file}.`);
  }
  if (!fresh) {
    throw new StorageError(
      'KEK_REQUIRED',
      `The KEK file ${file} is missing; this database was sealed with a key-encryption key: restore the file ` +
        'from backup (or point VOUCH_KEK_FILE at it).',
    );
  }
  return createKekFile(file, kekSettingOf(opts));
}

/**
 * What can be checked of the KEK file before the database is opened, so a setting that can never work stops the start
 * before any migration creates or changes a schema: `KEK_REQUIRED` on PostgreSQL without `VOUCH_KEK_FILE` or its
 * file, `KEK_INVALID` for a file that is unreadable or malformed. A missing SQLite file is left to
 * {@link loadKekFile}, which needs the database to tell a fresh one (create the file) from one set up (restore it).
 */
export async function preflightKek(opts: KekLocation): Promise<void> {
  const file = kekFilePath(opts);
  const key = await readKekFile(file, kekSettingOf(opts));
  if (key === undefined && opts.engine === 'postgres') throw postgresKekMissing(file);
  key?.fill(0);
}

function postgresKekMissing(file: string): StorageError {
  return new StorageError(
    'KEK_REQUIRED',
    `The key-encryption key file ${file} (VOUCH_KEK_FILE) does not exist; with PostgreSQL it is never created: ` +
      `create it once (openssl rand -hex 32 > ${file}; chmod 600 ${file}) and give every server process the same file.`,
  );
}

/** Whether the database already records a KEK (its check value): set up, not fresh. */
async function hasKekCheck(storage: Storage): Promise<boolean> {
  const row = await translateErrors(() =>
    storage.db.selectFrom('meta').select('key').where('key', '=', CHECK_META_KEY).executeTakeFirst(),
  );
  return row !== undefined;
}

/**
 * Where the KEK file is: `kekFile` (`VOUCH_KEK_FILE`) or, on SQLite only, `<dataDir>/kek.key`. Throws
 * `KEK_REQUIRED` on PostgreSQL without `kekFile`.
 */
export function kekFilePath(opts: KekLocation): string {
  const given = opts.kekFile === '' ? undefined : opts.kekFile;
  if (given === undefined && opts.engine === 'postgres') {
    throw new StorageError(
      'KEK_REQUIRED',
      'VOUCH_KEK_FILE is required with PostgreSQL: set it to the path of one key-encryption key file that every server process shares.',
    );
  }
  return given ?? join(opts.dataDir, KEK_FILE_NAME);
}

/** The setting that chose the KEK file, for messages: VOUCH_KEK_FILE, or VOUCH_DATA_DIR for its default. */
function kekSettingOf(opts: KekLocation): string {
  return opts.kekFile === undefined || opts.kekFile === '' ? 'VOUCH_DATA_DIR' : 'VOUCH_KEK_FILE';
}

/**
 * Verifies that `kek` is the key this database was set up with, recording it on first use (insert-if-absent,
 * so concurrent first starts agree). Throws `StorageError('KEK_MISMATCH')` otherwise, so a process with the wrong
 * key fails at start instead of when it first needs a private key. Stores HMAC-SHA256(kek, label), never the key.
 *
 * @example
 * ```ts
 * await checkKek(storage, kek, clock.now());
 * ```
 */
export async function checkKek(storage: Storage, kek: Buffer, nowMs: number): Promise<void> {
  if (!Buffer.isBuffer(kek) || kek.length !== KEK_BYTES) {
    throw new StorageError('KEK_INVALID', 'The key-encryption key must be exactly 32 bytes.');
  }
  assertNonNegativeInteger('nowMs', nowMs);
  const expected = kekCheckValue(kek);
  const row = await translateErrors(async () => {
    await storage.db.transaction().execute(async (trx) => {
      const landed = await trx
        .insertInto('meta')
        .values({ key: CHECK_META_KEY, value: expected, created_at: nowMs })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .execute();
      // The moment the database was bound to its KEK, by the one process whose insert landed.
      if (landed.length === 1) await recordAudit(trx, { at: nowMs, actor: 'system', action: 'kek.bind' });
    });
    return storage.db.selectFrom('meta').select('value').where('key', '=', CHECK_META_KEY).executeTakeFirst();
  });
  if (row === undefined || !constantTimeEqual(row.value, expected)) {
    throw new StorageError(
      'KEK_MISMATCH',
      'The key-encryption key is not the one this database was set up with: every process must use the same VOUCH_KEK_FILE.',
    );
  }
}

/** The value the meta row holds for `kek`: HMAC-SHA256(kek, label), which reveals nothing about the key. */
export function kekCheckValue(kek: Buffer): string {
  return `v1.${createHmac('sha256', kek).update(CHECK_LABEL).digest('base64url')}`;
}

/**
 * Inside a transaction that is about to seal a key under `kek`: throws `KEK_MISMATCH` unless `kek` is still the
 * database's KEK. On PostgreSQL the check row is read `FOR SHARE`, so a concurrent re-wrap (which updates that row
 * first) either waits for this transaction or makes it fail here, and no key is ever sealed under a retired KEK.
 */
export async function assertKekCurrent(trx: Kysely<Database>, engine: Engine, kek: Buffer): Promise<void> {
  // On SQLite the transaction already holds the write lock (lib/sqlite.ts); there is no row lock to take.
  await assertCheckRowMatches(trx, kek, engine === 'postgres');
}

/**
 * After a stored key failed to open under `kek`: throws `KEK_MISMATCH` if a re-wrap replaced `kek` (a process left
 * running, which must restart), and returns otherwise, so the caller reports the key itself as the one at fault.
 */
export async function assertKekNotReplaced(db: Kysely<Database>, kek: Buffer): Promise<void> {
  await assertCheckRowMatches(db, kek, false); // no lock: nothing is sealed on this path
}

/** Throws `KEK_MISMATCH` when the check row names a KEK other than `kek`; `forShare` reads it under a row lock. */
async function assertCheckRowMatches(db: Kysely<Database>, kek: Buffer, forShare: boolean): Promise<void> {
  const row = await db
    .selectFrom('meta')
    .select('value')
    .where('key', '=', CHECK_META_KEY)
    .$if(forShare, (q) => q.forShare())
    .executeTakeFirst();
  if (row !== undefined && !constantTimeEqual(row.value, kekCheckValue(kek))) throw kekReplaced();
}

function kekReplaced(): StorageError {
  return new StorageError(
    'KEK_MISMATCH',
    'The key-encryption key was replaced (vouch kek rewrap): restart this process with the new VOUCH_KEK_FILE.',
  );
}

/**
 * Reads an existing key file (hex or base64 of 32 bytes), never creating one: for tools that must not make up a
 * key, such as `vouch kek rewrap`. Throws `KEK_INVALID` when the file is absent or malformed.
 */
export async function readKek(file: string): Promise<Buffer> {
  const key = await readKekFile(file);
  if (key === undefined) throw new StorageError('KEK_INVALID', `There is no key-encryption key file at ${file}.`);
  return key;
}

/**
 * Reads an existing key file like {@link readKek}, but answers `undefined` when there is no file, where `readKek`
 * throws: for a report that tells an absent file from one that is there but cannot be used (`KEK_INVALID`).
 */
export async function readKekIfPresent(file: string): Promise<Buffer | undefined> {
  return readKekFile(file);
}

/**
 * Reads and parses the key file; undefined when it does not exist. Anything but a small regular file is refused
 * unread (a named pipe used to hang the start for good), naming `setting` (the variable that chose the file) if given.
 */
async function readKekFile(file: string, setting?: string): Promise<Buffer | undefined> {
  const named = setting === undefined ? file : `${file} (${setting})`;
  let content: Buffer;
  try {
    content = await readRegularFile(file, MAX_FILE_BYTES);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    const reason = (err as Error).message;
    throw new StorageError('KEK_INVALID', `The key-encryption key file ${named} ${reason}.`, { cause: err });
  }
  const key = parseKek(content.toString('utf8'));
  content.fill(0);
  if (key === undefined) {
    throw new StorageError(
      'KEK_INVALID',
      `The key-encryption key file ${named} must hold 32 bytes written as 64 hex characters or as base64.`,
    );
  }
  return key;
}

/** Decodes hex, base64 or base64url of exactly 32 bytes; only the canonical spelling of the bytes is accepted. */
function parseKek(content: string): Buffer | undefined {
  const text = content.trim();
  if (HEX.test(text)) return Buffer.from(text, 'hex');
  const encoding = BASE64.test(text) ? 'base64' : BASE64URL.test(text) ? 'base64url' : undefined;
  if (encoding === undefined) return undefined;
  const key = Buffer.from(text, encoding);
  return key.length === KEK_BYTES && key.toString(encoding) === text ? key : undefined;
}

/**
 * Creates the key file with a fresh key. The key is written and flushed to a private temporary file ('wx', 0600)
 * that is then hard-linked into place, and the folder is flushed (createFileWhole): link() fails with EEXIST if
 * another process won, a reader never sees a half-written key, and a power loss cannot keep the database's keys
 * sealed under a key whose file name it lost. The loser reads the winner's file.
 */
async function createKekFile(file: string, setting: string): Promise<LoadedKek> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEK_BYTES);
  try {
    if (await createFileWhole(file, `${key.toString('hex')}\n`, 0o600)) return { key, file, created: true };
  } catch (err) {
    throw new StorageError('KEK_INVALID', `Cannot create the key-encryption key file ${file} (${errnoCode(err)}).`, {
      cause: err,
    });
  }
  const winner = await readKekFile(file, setting);
  if (winner === undefined) {
    throw new StorageError('KEK_INVALID', `The key-encryption key file ${file} vanished while it was being created.`);
  }
  return { key: winner, file, created: false };
}
