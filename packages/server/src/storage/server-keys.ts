import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { StorageError, toStorageError, translateErrors } from './errors.ts';
import { recordAudit } from './audit.ts';
import { announceChange, serverKeysTopic } from './changes.ts';
import type { Engine } from './engine.ts';
import { jwkThumbprint } from '@vouch/sdk';
import { assertNonNegativeInteger } from './lib/validate.ts';
import type { Storage } from './open.ts';
import type { Database, ServerKeysTable } from './schema.ts';
import { open, seal } from './secret-box.ts';
import { assertKekCurrent, assertKekNotReplaced } from './kek.ts';
import { codePointOrder } from './text-order.ts';

export type ServerKeyAlg = 'ES256' | 'EdDSA';
export type ServerKeyStatus = 'active' | 'retired';

/** A server signing key with its private half opened. The private key exists only as a KeyObject. */
export interface ServerKey {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  purpose: string;
  alg: ServerKeyAlg;
  generation: number;
  status: ServerKeyStatus;
  /** Public JWK with `kid`, `alg` and `use: "sig"`, ready for a JWKS. */
  publicJwk: JsonWebKey;
  privateKey: KeyObject;
  createdAt: number;
  /** When a rotation retired it (ms); null while active. */
  retiredAt: number | null;
}

const PURPOSE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ALGS: readonly ServerKeyAlg[] = ['ES256', 'EdDSA'];
const STATUSES: readonly ServerKeyStatus[] = ['active', 'retired'];

/**
 * Inserts a first key if its row is still absent (a concurrent insert wins quietly), once it has checked, in the same
 * transaction, that `kek` is still the database's KEK (as rotations do): a process left running with a KEK that a
 * re-wrap replaced must not seal a key nobody else can open. The key that lands is audited as `action` by `system`
 * (a key made at start, or imported from the operator's file); one that lost the race leaves no entry.
 */
async function insertSealed(
  storage: Storage,
  kek: Buffer,
  row: ServerKeysTable,
  action: 'server_key.create' | 'server_key.import',
  conflictColumns?: Array<'purpose' | 'generation'>,
): Promise<Selectable<ServerKeysTable> | undefined> {
  return translateErrors(() =>
    storage.db.transaction().execute(async (trx) => {
      // On PostgreSQL the check reads the KEK row FOR SHARE, ordered against a re-wrap's update of it; on SQLite the
      // transaction holds the write lock from its start (lib/sqlite.ts), so processes starting together take turns.
      await assertKekCurrent(trx, storage.engine, kek);
      const landed = await trx
        .insertInto('server_keys')
        .values(row)
        .onConflict((oc) => (conflictColumns ? oc.columns(conflictColumns) : oc).doNothing())
        .returning('kid')
        .execute();
      if (landed.length > 0) {
        await recordAudit(trx, {
          at: row.created_at,
          actor: 'system',
          action,
          target: row.kid,
          details: { purpose: row.purpose, alg: row.alg, generation: row.generation },
        });
      }
      // The active key read here, not after the commit: a re-wrap committing in between would re-seal it under a
      // KEK this process does not hold, and a key that was stored would be reported as one that does not open.
      return activeRow(trx, row.purpose);
    }),
  );
}

/**
 * Returns the active key (highest generation) for `purpose`, creating generation 1 on first use.
 * Safe under concurrency: every starter may generate a candidate, but the insert is `ON CONFLICT (purpose,
 * generation) DO NOTHING` and everyone then reads back the one row that landed.
 * Throws `SERVER_KEY_CONFLICT` if the active key has another algorithm, or the purpose has keys but none active.
 *
 * @example
 * ```ts
 * const key = await ensureServerKey(storage, kek, 'identity-token', 'ES256', clock.now());
 * ```
 */
export async function ensureServerKey(
  storage: Storage,
  kek: Buffer,
  purpose: string,
  alg: ServerKeyAlg,
  nowMs: number,
): Promise<ServerKey> {
  assertPurpose(purpose);
  if (!ALGS.includes(alg)) throw new StorageError('INVALID_ARGUMENT', 'alg must be ES256 or EdDSA.');
  assertNonNegativeInteger('nowMs', nowMs);
  const existing = await activeKey(storage.db, kek, purpose);
  if (existing !== undefined) return requireAlg(existing, alg);

  const candidate = await newKeyRow(kek, purpose, alg, nowMs);
  const winner = await insertSealed(storage, kek, candidate, 'server_key.create', ['purpose', 'generation']);
  return requireAlg(await decodeActive(winner, kek, purpose), alg);
}

/**
 * Stores `privateKey` (an Ed25519 or P-256 KeyObject from outside, e.g. an operator's key file) as generation 1 of
 * `purpose` if the purpose has no key yet (insert-if-absent, race-safe like {@link ensureServerKey}), then returns
 * the active key, which is the imported one unless a key was already there: compare `kid`s to tell. A key already
 * stored for another purpose is `SERVER_KEY_CONFLICT`.
 *
 * @example
 * ```ts
 * const key = await importServerKey(storage, kek, 'registry-root', 'EdDSA', createPrivateKey(pem), clock.now());
 * ```
 */
export async function importServerKey(
  storage: Storage,
  kek: Buffer,
  purpose: string,
  alg: ServerKeyAlg,
  privateKey: KeyObject,
  nowMs: number,
): Promise<ServerKey> {
  assertPurpose(purpose);
  assertNonNegativeInteger('nowMs', nowMs);
  if (!fitsAlg(privateKey, alg)) throw new StorageError('INVALID_ARGUMENT', `The key to import is not an ${alg} key.`);
  const existing = await activeKey(storage.db, kek, purpose);
  if (existing !== undefined) return requireAlg(existing, alg);
  const publicKey = createPublicKey(privateKey);
  const kid = await jwkThumbprint(publicKey.export({ format: 'jwk' }) as Parameters<typeof jwkThumbprint>[0]);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  let winner: Selectable<ServerKeysTable> | undefined;
  try {
    const row: ServerKeysTable = {
      kid,
      purpose,
      alg,
      generation: 1,
      status: 'active',
      public_jwk: JSON.stringify(publicJwkOf(publicKey, kid, alg)),
      private_sealed: seal(kek, der, kid),
      created_at: nowMs,
      retired_at: null,
    };
    winner = await insertSealed(storage, kek, row, 'server_key.import');
  } finally {
    der.fill(0);
  }
  if (winner === undefined) await assertNotStoredElsewhere(storage, kid, purpose);
  return requireAlg(await decodeActive(winner, kek, purpose), alg);
}

/**
 * An import that landed nothing and left its purpose with no active key: when its kid is stored already for another
 * purpose (the same key file given for two), `SERVER_KEY_CONFLICT` says so, where "none is active" would misdirect.
 */
async function assertNotStoredElsewhere(storage: Storage, kid: string, purpose: string): Promise<void> {
  const row = await translateErrors(() =>
    storage.db.selectFrom('server_keys').select('purpose').where('kid', '=', kid).executeTakeFirst(),
  );
  if (row !== undefined && row.purpose !== purpose) {
    throw new StorageError(
      'SERVER_KEY_CONFLICT',
      `The key to import is already stored as a "${row.purpose}" key; a key serves one purpose only.`,
    );
  }
}

/**
 * Every stored key (active and retired), optionally for one purpose, ordered by purpose (code point order on both
 * engines) then newest generation first. Each private key is opened, and checked to match its `kid` and `alg`.
 *
 * @example
 * ```ts
 * const jwks = { keys: (await listServerKeys(storage, kek, 'identity-token')).map((k) => k.publicJwk) };
 * ```
 */
export async function listServerKeys(storage: Storage, kek: Buffer, purpose?: string): Promise<ServerKey[]> {
  const rows = await translateErrors(() => listing(storage, purpose).selectAll().execute());
  return decodeStored(storage.db, rows, kek);
}

/** A server key's public half and state, as the public key lists show it: no private key is opened. */
export type PublicServerKey = Omit<ServerKey, 'privateKey'>;

/**
 * Like {@link listServerKeys}, from the stored public JWKs alone: the public key lists (served to anyone) cost no
 * unsealing of private keys, and keep answering in a process whose KEK a re-wrap replaced.
 *
 * @example
 * ```ts
 * const published = (await listPublicServerKeys(storage)).filter((k) => k.alg === 'EdDSA');
 * ```
 */
export async function listPublicServerKeys(storage: Storage, purpose?: string): Promise<PublicServerKey[]> {
  const columns = ['kid', 'purpose', 'alg', 'generation', 'status', 'public_jwk', 'created_at', 'retired_at'] as const;
  const rows = await translateErrors(() => listing(storage, purpose).select(columns).execute());
  return rows.map((row) => ({
    kid: row.kid,
    purpose: row.purpose,
    alg: row.alg,
    generation: row.generation,
    status: row.status,
    publicJwk: JSON.parse(row.public_jwk) as JsonWebKey,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  }));
}

/**
 * The key lists' query, columns left to the caller: every key, or `purpose`'s, ordered by purpose in code points on
 * both engines (not the database's collation), then newest generation first.
 */
function listing(storage: Storage, purpose?: string) {
  let query = storage.db.selectFrom('server_keys');
  if (purpose !== undefined) {
    assertPurpose(purpose);
    query = query.where('purpose', '=', purpose);
  }
  return query.orderBy(codePointOrder(storage.engine, 'purpose')).orderBy('generation', 'desc');
}

/** What {@link rotateServerKey} did. */
export interface ServerKeyRotation {
  /** The new active key (generation n+1). */
  key: ServerKey;
  /** The kids that were active before and are now retired. */
  retired: string[];
  /** With `dropRetired`: every retired key deleted by the rotation, including the ones it retired. */
  dropped: string[];
}

/**
 * Makes a new active key for `purpose` (generation n+1) and retires the previously active one(s) (`retired_at` =
 * `nowMs`), in one transaction, optionally with its audit entry. Race-safe through UNIQUE(purpose, generation): of
 * two concurrent rotations that read the same n, one inserts n+1 and the other fails with `SERVER_KEY_CONFLICT`
 * and changes nothing. A purpose with no key yet gets generation 1. Throws `SERVER_KEY_CONFLICT` as well when the
 * active key has another algorithm. With `dropRetired` (a key has leaked) every retired key of `purpose`, the ones
 * this rotation retires included, is deleted in the same transaction, audited as `server_key.drop_compromised`.
 *
 * @example
 * ```ts
 * const { key, retired } = await rotateServerKey(storage, kek, 'tokens', 'ES256', clock.now(), { actor: 'admin' });
 * ```
 */
export async function rotateServerKey(
  storage: Storage,
  kek: Buffer,
  purpose: string,
  alg: ServerKeyAlg,
  nowMs: number,
  audit?: { actor: string; requestId?: string },
  options: { dropRetired?: boolean } = {},
): Promise<ServerKeyRotation> {
  assertPurpose(purpose);
  if (!ALGS.includes(alg)) throw new StorageError('INVALID_ARGUMENT', 'alg must be ES256 or EdDSA.');
  assertNonNegativeInteger('nowMs', nowMs);
  // The key pair is generated before the transaction, so the transaction holds its locks for a few queries only.
  const candidate = await newKeyRow(kek, purpose, alg, nowMs);
  let retired: string[];
  let dropped: string[] = [];
  let stored: Selectable<ServerKeysTable>;
  try {
    retired = await storage.db.transaction().execute(async (trx) => {
      // Never seal under a KEK that a re-wrap has replaced (a process left running through `vouch kek rewrap`).
      await assertKekCurrent(trx, storage.engine, kek);
      // Read first, then write: a concurrent rotation that read the same generation collides on the insert below.
      const rows = await trx
        .selectFrom('server_keys')
        .select(['kid', 'alg', 'status', 'generation'])
        .where('purpose', '=', purpose)
        .orderBy('generation', 'desc')
        .execute();
      const active = rows.filter((r) => r.status === 'active');
      if (active.some((r) => r.alg !== alg)) {
        throw new StorageError('SERVER_KEY_CONFLICT', `The active "${purpose}" key is not ${alg}.`);
      }
      const generation = (rows[0]?.generation ?? 0) + 1;
      if (active.length > 0) {
        const retiring = await trx
          .updateTable('server_keys')
          .set({ status: 'retired', retired_at: nowMs })
          .where('purpose', '=', purpose)
          .where(
            'kid',
            'in',
            active.map((r) => r.kid),
          )
          .where('status', '=', 'active')
          .executeTakeFirst();
        // Fewer than it read as active: another rotation retired them and committed while this one waited. Going on
        // to insert would wait on (and deadlock with) a compromised rotation deleting the rows this update now locks.
        if (Number(retiring.numUpdatedRows) !== active.length) throw concurrentRotation(purpose);
      }
      // The row as inserted is what the caller gets: read back after the commit, a re-wrap committing in between
      // would have re-sealed it under a KEK this process does not hold, and a rotation that happened would fail.
      stored = await trx
        .insertInto('server_keys')
        .values({ ...candidate, generation })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (audit !== undefined) {
        await recordAudit(trx, {
          at: nowMs,
          actor: audit.actor,
          action: 'server_key.rotate',
          target: candidate.kid,
          details: { purpose, alg, generation, retired: active.map((r) => r.kid) },
          requestId: audit.requestId,
        });
      }
      // Every process forgets its cached keys of this purpose once this commits (a compromised key at once).
      await announceChange(trx, storage.engine, serverKeysTopic(purpose));
      if (options.dropRetired === true) {
        // A leaked key is seldom the only one: every retired key was sealed under the same KEK and kept in the same
        // rows. Dropped in this transaction, so no retry can leave one published.
        const rows = await deleteRetired(trx, purpose);
        dropped = rows.sort((a, b) => b.generation - a.generation).map((r) => r.kid);
        await recordAudit(trx, {
          at: nowMs,
          actor: audit?.actor ?? 'system',
          action: 'server_key.drop_compromised',
          target: candidate.kid,
          details: { purpose, dropped },
          requestId: audit?.requestId,
        });
      }
      return active.map((r) => r.kid);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw concurrentRotation(purpose, err);
    throw toStorageError(err);
  }
  return { key: await decodeRow(stored!, kek), retired, dropped };
}

/** Of two rotations of `purpose` at once, the one that gives way (nothing changed). */
function concurrentRotation(purpose: string, cause?: unknown): StorageError {
  return new StorageError(
    'SERVER_KEY_CONFLICT',
    `Another rotation of the "${purpose}" key happened at the same time; nothing was changed.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Inside a transaction: whether `kid` is still an active key, holding a share lock on its row on PostgreSQL until
 * the transaction ends, so a concurrent {@link rotateServerKey} waits for it. A signer records what it signs
 * (e.g. the token it issues) in the same transaction, so once a rotation has committed, every token signed by the
 * retired key is visible to whoever decides when that key may be dropped. On SQLite, transactions that write are
 * serialized anyway.
 *
 * @example
 * ```ts
 * await storage.db.transaction().execute(async (trx) => {
 *   await trx.insertInto('issued_tokens').values(row).execute();
 *   if (!(await lockActiveServerKey(trx, storage.engine, kid))) throw new StaleKey();
 * });
 * ```
 */
export async function lockActiveServerKey(db: Kysely<Database>, engine: Engine, kid: string): Promise<boolean> {
  const query = db.selectFrom('server_keys').select('status').where('kid', '=', kid);
  const row = await translateErrors(() =>
    engine === 'postgres' ? query.forShare().executeTakeFirst() : query.executeTakeFirst(),
  );
  return row?.status === 'active';
}

/**
 * Deletes retired keys of `purpose` among `kids` (an active key is never deleted), with an audit entry per key by
 * `system`, in one transaction. The caller decides which retired keys are no longer needed (e.g. every token they
 * signed has expired). Returns the kids deleted.
 *
 * @example
 * ```ts
 * await dropRetiredServerKeys(storage, 'tokens', ['kid1'], clock.now());
 * ```
 */
export async function dropRetiredServerKeys(
  storage: Storage,
  purpose: string,
  kids: readonly string[],
  nowMs: number,
): Promise<string[]> {
  assertPurpose(purpose);
  assertNonNegativeInteger('nowMs', nowMs);
  if (kids.length === 0) return [];
  return translateErrors(() =>
    storage.db.transaction().execute(async (trx) => {
      const rows = await deleteRetired(trx, purpose, kids);
      if (rows.length > 0) await announceChange(trx, storage.engine, serverKeysTopic(purpose));
      for (const r of rows) {
        await recordAudit(trx, {
          at: nowMs,
          actor: 'system',
          action: 'server_key.drop',
          target: r.kid,
          details: { purpose, generation: r.generation },
        });
      }
      return rows.map((r) => r.kid);
    }),
  );
}

/** Deletes the retired keys of `purpose` (those among `kids`, or all); an active key is never deleted. */
function deleteRetired(
  trx: Kysely<Database>,
  purpose: string,
  kids?: readonly string[],
): Promise<Array<{ kid: string; generation: number }>> {
  let query = trx.deleteFrom('server_keys').where('purpose', '=', purpose).where('status', '=', 'retired');
  if (kids !== undefined) query = query.where('kid', 'in', [...kids]);
  return query.returning(['kid', 'generation']).execute();
}

/**
 * The kid, generation and status of every key of `purpose`, newest first, without opening any private key: a cheap
 * way for a process to tell whether its cached keys are still current.
 *
 * @example
 * ```ts
 * const states = await listServerKeyStates(storage, 'tokens'); // [{ kid, generation: 2, status: 'active' }, ...]
 * ```
 */
export async function listServerKeyStates(
  storage: Storage,
  purpose: string,
): Promise<Array<{ kid: string; generation: number; status: ServerKeyStatus }>> {
  assertPurpose(purpose);
  return translateErrors(() =>
    storage.db
      .selectFrom('server_keys')
      .select(['kid', 'generation', 'status'])
      .where('purpose', '=', purpose)
      .orderBy('generation', 'desc')
      .execute(),
  );
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function assertPurpose(purpose: string): void {
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    throw new StorageError('INVALID_ARGUMENT', 'A key purpose is 1 to 64 of a-z, 0-9, ".", "_" and "-".');
  }
}

function requireAlg(key: ServerKey, alg: ServerKeyAlg): ServerKey {
  if (key.alg !== alg) {
    throw new StorageError('SERVER_KEY_CONFLICT', `The active "${key.purpose}" key is ${key.alg}, not ${alg}.`);
  }
  return key;
}

async function activeKey(db: Kysely<Database>, kek: Buffer, purpose: string): Promise<ServerKey | undefined> {
  const row = await translateErrors(() => activeRow(db, purpose));
  return row === undefined ? undefined : (await decodeStored(db, [row], kek))[0];
}

/**
 * Stored rows opened under `kek`. One that does not open is `KEK_MISMATCH` when a re-wrap replaced `kek` (this process
 * was left running and must restart), and `SEALED_INVALID`, naming the key, when the row itself is at fault.
 */
async function decodeStored(
  db: Kysely<Database>,
  rows: Selectable<ServerKeysTable>[],
  kek: Buffer,
): Promise<ServerKey[]> {
  try {
    return await Promise.all(rows.map((row) => decodeRow(row, kek)));
  } catch (err) {
    if (err instanceof StorageError && err.code === 'SEALED_INVALID') {
      await translateErrors(() => assertKekNotReplaced(db, kek));
    }
    throw err;
  }
}

function activeRow(db: Kysely<Database>, purpose: string): Promise<Selectable<ServerKeysTable> | undefined> {
  return db
    .selectFrom('server_keys')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('status', '=', 'active')
    .orderBy('generation', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The active row a creation or import read in its transaction, opened; a purpose with keys but none active throws. */
async function decodeActive(
  row: Selectable<ServerKeysTable> | undefined,
  kek: Buffer,
  purpose: string,
): Promise<ServerKey> {
  if (row === undefined) {
    throw new StorageError('SERVER_KEY_CONFLICT', `The server keys for "${purpose}" exist but none is active.`);
  }
  return decodeRow(row, kek);
}

async function newKeyRow(
  kek: Buffer,
  purpose: string,
  alg: ServerKeyAlg,
  nowMs: number,
  generation = 1,
): Promise<ServerKeysTable> {
  const { publicKey, privateKey } = await generate(alg);
  const kid = await jwkThumbprint(publicKey.export({ format: 'jwk' }) as Parameters<typeof jwkThumbprint>[0]);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    return {
      kid,
      purpose,
      alg,
      generation,
      status: 'active',
      public_jwk: JSON.stringify(publicJwkOf(publicKey, kid, alg)),
      private_sealed: seal(kek, der, kid),
      created_at: nowMs,
      retired_at: null,
    };
  } finally {
    der.fill(0);
  }
}

function generate(alg: ServerKeyAlg): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void =>
      err === null ? resolve({ publicKey, privateKey }) : reject(err);
    if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else generateKeyPair('ed25519', undefined, done);
  });
}

function publicJwkOf(publicKey: KeyObject, kid: string, alg: ServerKeyAlg): JsonWebKey {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

/** Whether a key object is the kind `alg` signs with. */
function fitsAlg(key: KeyObject, alg: ServerKeyAlg): boolean {
  if (alg === 'EdDSA') return key.asymmetricKeyType === 'ed25519';
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

/**
 * Opens a row. The sealed private key is bound to the kid (AAD), and the kid is recomputed from the opened key,
 * so a row whose columns were swapped or edited does not yield a usable key.
 */
async function decodeRow(row: Selectable<ServerKeysTable>, kek: Buffer): Promise<ServerKey> {
  const invalid = (what: string): StorageError =>
    new StorageError('SERVER_KEY_CONFLICT', `The stored server key ${row.kid} ${what}.`);
  if (!ALGS.includes(row.alg)) throw invalid('has an unknown algorithm');
  if (!STATUSES.includes(row.status)) throw invalid('has an unknown status');
  let der: Buffer;
  try {
    der = open(kek, row.private_sealed, row.kid);
  } catch (err) {
    // Name the key: an operator restoring a backup or a re-wrap needs to know which row does not open.
    if (err instanceof StorageError && err.code === 'SEALED_INVALID') {
      throw new StorageError('SEALED_INVALID', `The ${row.purpose} key ${row.kid}: ${lowerFirst(err.message)}`, {
        cause: err,
      });
    }
    throw err;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid('does not hold a readable private key');
  } finally {
    der.fill(0);
  }
  if (!fitsAlg(privateKey, row.alg)) throw invalid(`is not an ${row.alg} key`);
  const publicKey = createPublicKey(privateKey);
  const kid = await jwkThumbprint(publicKey.export({ format: 'jwk' }) as Parameters<typeof jwkThumbprint>[0]);
  if (kid !== row.kid) throw invalid('does not match its kid');
  return {
    kid: row.kid,
    purpose: row.purpose,
    alg: row.alg,
    generation: row.generation,
    status: row.status,
    publicJwk: publicJwkOf(publicKey, row.kid, row.alg),
    privateKey,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
