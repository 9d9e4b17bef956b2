// The methods that serve a path, for the `Allow` header of a 405: asked of the router only for a request that no
// route matched, so a matched request pays nothing for it.
import type { FastifyInstance } from 'fastify';

/** Lists the methods whose routes match `url` (a request target, query string allowed); empty when none does. */
export type AllowedMethods = (url: string) => string[];

/** The order of an `Allow` header; methods not named here follow, in the order routes first used them. */
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

function rank(method: string): number {
  const i = ORDER.indexOf(method);
  return i === -1 ? ORDER.length : i;
}

/** Whether a route of `method` matches `url`, by the router's own rules (parameters, percent-decoding). */
function serves(app: FastifyInstance, method: string, url: string): boolean {
  try {
    const found = app.findRoute({ method: method as 'GET', url });
    // For an address it cannot read (malformed percent-encoding, a parameter past maxParamLength) the router hands
    // back Fastify's framework-error handler rather than null; only a route's match carries its searchParams.
    return found !== null && found.searchParams !== undefined;
  } catch {
    return false;
  }
}

/**
 * Records the methods of every route registered from now on (call it before any route) and returns the lookup for
 * the not-found handler. OPTIONS is listed only beside another method: the CORS preflight route answers it on every
 * path (http/cors.ts), so on its own it does not make a path exist.
 *
 * @example
 * const allowedMethods = trackAllowedMethods(app);
 * allowedMethods('/api/registry/verify'); // ['POST'] (['POST', 'OPTIONS'] with CORS origins configured)
 */
export function trackAllowedMethods(app: FastifyInstance): AllowedMethods {
  const methods = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) methods.add(m.toUpperCase());
  });
  let probed: string[] | undefined;
  return (url) => {
    // Routes are all registered before the first request: sort once.
    probed ??= [...methods].filter((m) => m !== 'OPTIONS').sort((a, b) => rank(a) - rank(b));
    const allow = probed.filter((m) => serves(app, m, url));
    if (allow.length > 0 && methods.has('OPTIONS') && serves(app, 'OPTIONS', url)) allow.push('OPTIONS');
    return allow;
  };
}

/**
 * Records the methods of every route registered from now on (call it before any route) and returns the `Allow` of
 * the server as a whole, for `OPTIONS *` (RFC 9110 §9.3.7): every method some route serves, in the order of a 405's
 * `Allow`, and OPTIONS, which `OPTIONS *` itself is. CONNECT (answered 405 on any target) and TRACE are not served.
 */
export function trackServerMethods(app: FastifyInstance): () => string {
  const methods = new Set<string>(['OPTIONS']);
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) methods.add(m.toUpperCase());
  });
  let allow: string | undefined;
  return () =>
    (allow ??= [...methods]
      .filter((m) => m !== 'OPTIONS')
      .sort((a, b) => rank(a) - rank(b))
      .concat('OPTIONS')
      .join(', '));
}
