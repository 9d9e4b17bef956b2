// Which requests no route answers get an HTML error page instead of the API's JSON `error`: one rule for every path,
// applied by the app before it asks the modules' page hooks (VouchModule.notFoundPage and badAddressPage).
import type { FastifyRequest } from 'fastify';
import { wantsHtml } from './html.ts';

/**
 * The roots of the JSON API and of the documents programs read (discovery, keys, OpenAPI, metrics, health): errors
 * under them are JSON whoever asks. Every other path is a page path: the console's, the verify pages', assets.
 */
const API_ROOTS = ['/api', '/v1', '/.well-known', '/docs/json', '/metrics', '/healthz', '/readyz', '/ingest'];

/**
 * `path` with its percent-encoded unreserved characters (RFC 3986 §2.3: letters, digits, `-._~`) decoded, as the
 * router reads it before matching (`/heal%74hz` is /healthz). Everything else stays encoded: `%2F` is a character of
 * its segment to the router, not a separator, and a malformed escape (`%ZZ`) is left for the router to refuse.
 */
function decodeUnreserved(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape: string, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9\-._~]$/.test(ch) ? ch : escape;
  });
}

/**
 * Whether `path` (no query string) is one of {@link API_ROOTS} or under one, segment by segment (`/apix` is not), in
 * any spelling the router takes for it (`/%76%31/x` is /v1/x).
 */
export function isApiPath(path: string): boolean {
  const p = decodeUnreserved(path);
  return API_ROOTS.some((root) => p.startsWith(root) && (p.length === root.length || p[root.length] === '/'));
}

/** The scheme and authority of an absolute-form request target, and the `/` that starts its path. */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*\/?/i;

/**
 * Whether a 404 or 400 that no route gives (a path no route serves, an address the router cannot read) is answered
 * with an HTML page: a browser's (Accept naming `text/html`) GET or HEAD of a path outside the API. Other methods,
 * callers and paths get the JSON `error`; a route that exists answers as it decides.
 */
export function wantsErrorPage(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!wantsHtml(req)) return false;
  // An absolute-form target (`http://host/v1/x`, RFC 9112 §3.2.2) is routed by its path: judged by it too.
  const target = req.url.startsWith('/') ? req.url : req.url.replace(ABSOLUTE_FORM, '/');
  const query = target.indexOf('?');
  return !isApiPath(query === -1 ? target : target.slice(0, query));
}
