import type { Kysely } from 'kysely';
import { StorageError, translateErrors } from './errors.ts';
import { serializeAuditDetails } from './lib/secret-guard.ts';
import { assertNonNegativeInteger, assertText } from './lib/validate.ts';
import type { Database } from './schema.ts';

/** One audit row as read back. */
export interface AuditEntry {
  id: number;
  /** ms since the epoch. */
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  requestId: string | null;
}

/** What a caller records; `id` is assigned by the database. */
export interface AuditInput {
  at: number;
  /** Who acted, e.g. `admin` or `agent:<did>`. */
  actor: string;
  /** What happened, e.g. `server_key.rotate`. */
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

const MAX_ACTOR = 256;
/** Longest action the log stores, in UTF-16 units (a filter longer than this can match no entry). */
export const MAX_AUDIT_ACTION = 128;
const MAX_ACTION = MAX_AUDIT_ACTION;
const MAX_TARGET = 1024;
const MAX_REQUEST_ID = 256;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Appends an entry to the audit log and returns its id. Pass a transaction as `db` to record the entry
 * atomically with the change it describes. The table refuses UPDATE and DELETE (database triggers).
 * Throws `AUDIT_DETAILS_REJECTED` if `details` holds anything that looks like a secret, at any depth.
 *
 * @example
 * ```ts
 * await recordAudit(trx, { at: clock.now(), actor: 'admin', action: 'registry.publish', target: 'v42', requestId });
 * ```
 */
export async function recordAudit(db: Kysely<Database>, e: AuditInput): Promise<number> {
  assertNonNegativeInteger('at', e.at);
  assertText('actor', e.actor, MAX_ACTOR);
  assertText('action', e.action, MAX_ACTION);
  const target = e.target ?? null;
  if (target !== null) assertText('target', target, MAX_TARGET);
  const requestId = e.requestId ?? null;
  if (requestId !== null) assertText('requestId', requestId, MAX_REQUEST_ID);
  let details: string | null = null;
  if (e.details !== undefined && e.details !== null) {
    const result = serializeAuditDetails(e.details);
    if ('refused' in result) {
      throw new StorageError('AUDIT_DETAILS_REJECTED', `Audit entry refused: ${result.refused}.`);
    }
    details = result.json;
  }
  const row = await translateErrors(() =>
    db
      .insertInto('audit_log')
      .values({ at: e.at, actor: e.actor, action: e.action, target, details, request_id: requestId })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  return row.id;
}

/**
 * Audit entries, newest first. Page with `beforeId` (the last id of the previous page); filter by `action`.
 * `limit` defaults to 100, at most 1000.
 *
 * @example
 * ```ts
 * const page = await listAudit(storage.db, { limit: 50, action: 'registry.publish' });
 * const next = await listAudit(storage.db, { limit: 50, beforeId: page.at(-1)?.id });
 * ```
 */
export async function listAudit(
  db: Kysely<Database>,
  opts: { limit?: number; beforeId?: number; action?: string } = {},
): Promise<AuditEntry[]> {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  assertNonNegativeInteger('limit', limit);
  if (limit < 1 || limit > MAX_LIMIT) throw new StorageError('INVALID_ARGUMENT', `limit must be 1 to ${MAX_LIMIT}.`);
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
  if (opts.beforeId !== undefined) {
    assertNonNegativeInteger('beforeId', opts.beforeId);
    query = query.where('id', '<', opts.beforeId);
  }
  if (opts.action !== undefined) {
    assertText('action', opts.action, MAX_ACTION);
    query = query.where('action', '=', opts.action);
  }
  const rows = await translateErrors(() => query.execute());
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    details: parseDetails(r.details),
    requestId: r.request_id,
  }));
}

function parseDetails(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
