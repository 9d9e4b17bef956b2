import type { FastifyRequest } from 'fastify';
import { constantTimeEqual, sha256HexSync } from '@vouch/sdk';

/**
 * Compares a presented secret with the expected one in constant time. Both sides are hashed first so the
 * comparison takes the same time whatever the lengths, and neither length leaks.
 */
export function secretEquals(presented: string, expected: string): boolean {
  return constantTimeEqual(sha256HexSync(presented), sha256HexSync(expected));
}

/** SHA-256 hex of a secret, the form in which API keys and tokens are stored. */
export function hashSecret(secret: string): string {
  return sha256HexSync(secret);
}

/**
 * The secret of `Authorization: Bearer <secret>` when it starts with `prefix` (each kind of bearer secret has its
 * own prefix, so an authenticator never looks up another kind's secret).
 */
export function bearerSecret(req: FastifyRequest, prefix: string): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || h.length === 0 || h.length > 1024) return undefined;
  const token = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(h)?.[1];
  return token !== undefined && token.startsWith(prefix) ? token : undefined;
}
