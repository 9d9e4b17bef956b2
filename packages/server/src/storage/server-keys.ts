import { createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { StorageError, translateErrors } from './errors.ts';
import { jwkThumbprint } from '@vouch/sdk';
import { assertNonNegativeInteger } from './lib/validate.ts';
import type { Storage } from './open.ts';
import type { Database, ServerKeysTable } from './schema.ts';
import { open, seal } from './secret-box.ts';

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
}

const PURPOSE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ALGS: readonly ServerKeyAlg[] = ['ES256', 'EdDSA'];
const STATUSES: readonly ServerKeyStatus[] = ['active', 'retired'];

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
  await translateErrors(() =>
    storage.db
      .insertInto('server_keys')
      .values(candidate)
      .onConflict((oc) => oc.columns(['purpose', 'generation']).doNothing())
      .execute(),
  );
  const winner = await activeKey(storage.db, kek, purpose);
  if (winner === undefined) {
    throw new StorageError('SERVER_KEY_CONFLICT', `The server keys for "${purpose}" exist but none is active.`);
  }
  return requireAlg(winner, alg);
}

/**
 * Every stored key (active and retired), optionally for one purpose, ordered by purpose then newest generation
 * first. Each private key is opened, and checked to match its `kid` and `alg`.
 *
 * @example
 * ```ts
 * const jwks = { keys: (await listServerKeys(storage, kek, 'identity-token')).map((k) => k.publicJwk) };
 * ```
 */
export async function listServerKeys(storage: Storage, kek: Buffer, purpose?: string): Promise<ServerKey[]> {
  let query = storage.db.selectFrom('server_keys').selectAll();
  if (purpose !== undefined) {
    assertPurpose(purpose);
    query = query.where('purpose', '=', purpose);
  }
  const rows = await translateErrors(() => query.orderBy('purpose').orderBy('generation', 'desc').execute());
  return Promise.all(rows.map((row) => decodeRow(row, kek)));
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
  const row = await translateErrors(() =>
    db
      .selectFrom('server_keys')
      .selectAll()
      .where('purpose', '=', purpose)
      .where('status', '=', 'active')
      .orderBy('generation', 'desc')
      .limit(1)
      .executeTakeFirst(),
  );
  return row === undefined ? undefined : await decodeRow(row, kek);
}

async function newKeyRow(kek: Buffer, purpose: string, alg: ServerKeyAlg, nowMs: number): Promise<ServerKeysTable> {
  const { publicKey, privateKey } = await generate(alg);
  const kid = await jwkThumbprint(publicKey.export({ format: 'jwk' }) as Parameters<typeof jwkThumbprint>[0]);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  try {
    return {
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
  const der = open(kek, row.private_sealed, row.kid);
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
  };
}
