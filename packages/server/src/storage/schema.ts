import type { Generated } from 'kysely';

/*
 * Kysely table types: one interface per table, column names exactly as in the database (snake_case).
 * Conventions every migration follows so both engines behave identically:
 * - time is an integer count of milliseconds since the epoch (`bigint`; read back as a JS number on both engines);
 * - JSON is stored as `text` and parsed by the module that owns the table;
 * - no boolean or timestamp column types; enumerations are `text` checked by the owning module.
 * Later migrations add their tables here.
 */

/** Small server-wide facts, e.g. the KEK check value. Written insert-if-absent. */
export interface MetaTable {
  key: string;
  value: string;
  created_at: number;
}

/** The server's own signing keys; private keys sealed under the KEK. */
export interface ServerKeysTable {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key. */
  kid: string;
  purpose: string;
  alg: 'ES256' | 'EdDSA';
  /** 1 for the first key of a purpose, +1 per rotation. Unique per purpose. */
  generation: number;
  status: 'active' | 'retired';
  /** Public JWK as JSON text. */
  public_jwk: string;
  /** PKCS#8 DER sealed by `secret-box` with AAD = kid. */
  private_sealed: string;
  created_at: number;
  retired_at: number | null;
}

/** Append-only record of admin and governance actions; triggers refuse UPDATE and DELETE. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  /** JSON object as text, checked for secret-looking keys before it is written. */
  details: string | null;
  request_id: string | null;
}

/** Fixed-window rate-limit counters shared by every process on one database. */
export interface RateLimitsTable {
  bucket: string;
  window_start: number;
  count: number;
  /** End of the window; rows at or past it can be pruned. */
  expires_at: number;
}

/** The whole schema, as Kysely sees it. */
export interface Database {
  meta: MetaTable;
  server_keys: ServerKeysTable;
  audit_log: AuditLogTable;
  rate_limits: RateLimitsTable;
}
