// The `integrator` caller: `Authorization: Bearer <apiKey>`. The principal's id is the integrator's slug (the
// tokens module relies on it: an integrator speaks for the session-token audience named by its slug).
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import type { Authenticator, Principal } from '../../http/policy.ts';
import { recentKeysOf } from '../../http/recent-keys.ts';
import { bearerSecret, hashSecret } from '../../http/secrets.ts';
import { findIntegratorByKeyHash, INTEGRATOR_KEY_PREFIX } from './service.ts';
import type { Integrator } from './service.ts';

// The integrator row each principal was authenticated with (one principal object per request), so a route that shows
// the caller (resolve) does not read the row again in the same request.
const authenticatedRows = new WeakMap<Principal, Integrator>();
// The key hash each principal was authenticated with, for the transaction that acts on the request to hold it.
const authenticatedKeys = new WeakMap<Principal, string>();

/**
 * The integrator `principal` was authenticated as, read moments ago in the same request; undefined for any other
 * principal (then read it by its slug).
 *
 * @example
 * const integrator = authenticatedIntegrator(req.principal) ?? (await findIntegrator(ctx, req.principal.id));
 */
export function authenticatedIntegrator(principal: Principal): Integrator | undefined {
  return authenticatedRows.get(principal);
}

/** The SHA-256 hex of the API key `principal` was authenticated with; undefined for any other principal. */
export function authenticatedKeyHash(principal: Principal): string | undefined {
  return authenticatedKeys.get(principal);
}

/**
 * Authenticates an integrator by its API key: looked up by SHA-256 hex, then compared in constant time.
 * Other bearer credentials (owner keys, management tokens) are left to their own authenticators. A key that
 * authenticated is held in the app's recent integrator keys (and dropped when it fails to), which `recognize` reads
 * so that the policy counts it in its integrator's rate-limit bucket.
 */
export function integratorAuthenticator(ctx: AppContext): Authenticator {
  const recent = recentKeysOf(ctx).integrator;
  const lookup = async (key: string): Promise<Principal | null> => {
    const hash = hashSecret(key);
    const integrator = await findIntegratorByKeyHash(ctx, hash);
    if (integrator === undefined || !constantTimeEqual(integrator.apiKeyHash, hash)) {
      recent.forget(hash); // rotated in another process: from now on counted per address
      return null;
    }
    recent.remember(hash, integrator.slug);
    const principal: Principal = { caller: 'integrator', id: integrator.slug };
    const { apiKeyHash: _hash, ...row } = integrator;
    authenticatedRows.set(principal, row);
    authenticatedKeys.set(principal, hash);
    return principal;
  };
  // No integrator key in the request: answered at once, without a promise (public routes ask on every request).
  const authenticate = (req: FastifyRequest): Principal | null | Promise<Principal | null> => {
    const key = bearerSecret(req, INTEGRATOR_KEY_PREFIX);
    return key === undefined ? null : lookup(key);
  };
  return Object.assign(authenticate, {
    recognize: (req: FastifyRequest): string | undefined => {
      const key = bearerSecret(req, INTEGRATOR_KEY_PREFIX);
      return key === undefined ? undefined : recent.idOf(hashSecret(key));
    },
  });
}
