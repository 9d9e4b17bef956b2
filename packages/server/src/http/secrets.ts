import type { FastifyRequest } from 'fastify';
import { sha256HexSync } from '@vouch/sdk';

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
