import { ADMIN_KEY_MAX_CHARS } from '../config.ts';
import type { Authenticator } from './policy.ts';
import { secretEquals } from './secrets.ts';

/** Authenticates the admin by the `x-api-key` header, compared in constant time (synchronously: no lookup). */
export function adminAuthenticator(adminKey: string): Authenticator {
  return (req) => {
    const presented = req.headers['x-api-key'];
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > ADMIN_KEY_MAX_CHARS) return null;
    return secretEquals(presented, adminKey) ? { caller: 'admin', id: 'admin' } : null;
  };
}
