import { constantTimeEqual } from '@vouch/sdk';
import { ADMIN_KEY_MAX_CHARS } from '../config.ts';
import type { Authenticator, Principal } from './policy.ts';
import { hashSecret } from './secrets.ts';

/** The admin who presented the current key: principal id and audit actor. */
export const ADMIN_ACTOR = 'admin';
/** The admin who presented VOUCH_ADMIN_KEY_PREVIOUS, so the audit log shows who has not moved to the new key. */
export const PREVIOUS_ADMIN_ACTOR = 'admin:previous';

/**
 * The admin keys as the server holds them: SHA-256 digests (hashSecret) only, from loadConfig (VOUCH_ADMIN_KEY,
 * VOUCH_ADMIN_KEY_PREVIOUS) and resolveAdminKey (admin.key); no key outlives the start.
 */
export interface AdminKeyDigests {
  current: string;
  /** The previous key's, accepted beside the current one during a rolling change (audited as `admin:previous`). */
  previous: string | undefined;
}

/**
 * The digests of keys a caller holds itself (tests, benchmarks, an embedding program).
 *
 * @example
 * const { app } = await buildApp({ config, storage, kek, adminKeys: adminKeyDigests(key) });
 */
export function adminKeyDigests(current: string, previous?: string): AdminKeyDigests {
  return { current: hashSecret(current), previous: previous === undefined ? undefined : hashSecret(previous) };
}

/**
 * Authenticates the admin by the `x-api-key` header (synchronously: no lookup). The keys are known by their SHA-256
 * digests only, and the presented key is hashed once and compared in constant time with the current key and, when
 * set, the previous one: both comparisons always run, so the time taken does not tell which key matched.
 */
export function adminAuthenticator(keys: AdminKeyDigests): Authenticator {
  const { current, previous } = keys;
  return (req) => {
    const presented = req.headers['x-api-key'];
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > ADMIN_KEY_MAX_CHARS) return null;
    const digest = hashSecret(presented);
    const isCurrent = constantTimeEqual(digest, current);
    const isPrevious = previous !== undefined && constantTimeEqual(digest, previous);
    if (isCurrent) return { caller: 'admin', id: ADMIN_ACTOR };
    return isPrevious ? { caller: 'admin', id: PREVIOUS_ADMIN_ACTOR } : null;
  };
}

/** The audit actor of an admin principal: which key it presented (`admin` or `admin:previous`). */
export function adminActorOf(principal: Principal): string {
  return principal.id === PREVIOUS_ADMIN_ACTOR ? PREVIOUS_ADMIN_ACTOR : ADMIN_ACTOR;
}
