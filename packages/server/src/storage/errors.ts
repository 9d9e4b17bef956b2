import { VouchError } from '@vouch/sdk';

/**
 * Every failure the storage layer reports, by stable code. Callers switch on `code`, never on the message.
 * Later storage modules add their codes here so the set stays closed and documented in one place.
 *
 * - `KEK_REQUIRED`: no key-encryption key file where one must be (PostgreSQL without `VOUCH_KEK_FILE` or with a missing
 *   file; a missing file for a SQLite database already set up).
 * - `KEK_INVALID`: the key-encryption key file is unreadable, or not 32 bytes of hex or base64.
 * - `KEK_MISMATCH`: the database was set up under a different key-encryption key.
 * - `SEALED_INVALID`: a sealed value is malformed, tampered with, bound to other data, or sealed under another key.
 * - `MIGRATION_FAILED`: the schema could not be brought up to date.
 * - `DATABASE_UNAVAILABLE`: the database could not be opened or reached.
 * - `AUDIT_IMMUTABLE`: something tried to change or delete an audit row.
 * - `AUDIT_DETAILS_REJECTED`: audit details hold something that looks like a secret, or are not plain JSON.
 * - `SERVER_KEY_CONFLICT`: the stored server keys for a purpose disagree with what was asked for (another
 *   algorithm, none active), or a stored key row is inconsistent (kid, algorithm or private key do not match).
 * - `INVALID_ARGUMENT`: a caller passed a value outside the documented range (a programming error).
 */
export type StorageErrorCode =
  | 'KEK_REQUIRED'
  | 'KEK_INVALID'
  | 'KEK_MISMATCH'
  | 'KEK_UNCHANGED'
  | 'SEALED_INVALID'
  | 'MIGRATION_FAILED'
  | 'DATABASE_UNAVAILABLE'
  | 'AUDIT_IMMUTABLE'
  | 'AUDIT_DETAILS_REJECTED'
  | 'SERVER_KEY_CONFLICT'
  | 'INVALID_ARGUMENT';

/** An error from the storage layer. Its message is one readable sentence with no key, token or secret in it. */
export class StorageError extends VouchError<StorageErrorCode> {}

/** Marker both engines' audit triggers put in their error message (see migration 0001). */
export const AUDIT_IMMUTABLE_MARKER = 'vouch_audit_append_only';

/** Driver messages that mean "no database to talk to": Kysely or pg after close(), pg losing its connection. */
const UNAVAILABLE_MESSAGES = [
  'driver has already been destroyed',
  'Cannot use a pool after calling end on the pool',
  'The database connection is not open',
  'Connection terminated',
  // pg, for a statement on a client whose link was reset (ECONNRESET) or that was ended: a transaction's next
  // statement, and Kysely's rollback, whose error is the one the caller gets.
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  // A prepared statement outlived a schema change by another process (lib/pg-statements.ts renames it): a retry
  // prepares it again.
  'cached plan must not change result type',
];
/** Socket errno codes, SQLite's code for an unreadable file, and PostgreSQL's for a server that cannot serve. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'SQLITE_CANTOPEN',
  // PostgreSQL: shutting down, cannot connect now, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // PostgreSQL: a lock not granted within lock_timeout, a statement cancelled (statement_timeout, or an operator's
  // pg_cancel_backend), a transaction left idle too long, a full disk or out of memory: the database cannot serve
  // this now, a retry may succeed. (Deadlocks, 40P01, stay raw: ingestion retries them itself.)
  '55P03',
  '57014',
  '25P03',
  '53100',
  '53200',
  // SQLite: a full disk, a read-only file or directory.
  'SQLITE_FULL',
  'SQLITE_READONLY',
]);

function isUnavailable(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 is "connection exception".
    if (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    // A locked file or a disk I/O failure; better-sqlite3 gives extended codes such as SQLITE_BUSY_SNAPSHOT.
    if (/^SQLITE_(BUSY|LOCKED|IOERR|READONLY)(_|$)/.test(code)) return true;
  }
  return UNAVAILABLE_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * Translates a database driver error the storage layer recognises into a {@link StorageError}; returns anything
 * else unchanged: the audit table's append-only triggers (`AUDIT_IMMUTABLE`), and a closed, unreachable or
 * locked database (`DATABASE_UNAVAILABLE`, which the HTTP layer can answer with 503).
 *
 * @example
 * ```ts
 * try { await sql`delete from audit_log`.execute(db) } catch (err) { throw toStorageError(err) }
 * ```
 */
export function toStorageError(err: unknown): unknown {
  if (err instanceof StorageError || !(err instanceof Error)) return err;
  if (err.message.includes(AUDIT_IMMUTABLE_MARKER)) {
    return new StorageError('AUDIT_IMMUTABLE', 'Audit log entries cannot be changed or deleted.', { cause: err });
  }
  if (isUnavailable(err)) {
    return new StorageError('DATABASE_UNAVAILABLE', 'The database is unavailable.', { cause: err });
  }
  return err;
}

/** Runs a storage operation, translating recognised driver errors with {@link toStorageError}. */
export async function translateErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw toStorageError(err);
  }
}
