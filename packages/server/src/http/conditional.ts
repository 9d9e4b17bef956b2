// Conditional GET: whether a request's If-None-Match names the ETag of what would be sent, for every route that
// answers 304 (the registry document, the JWKS, the AIP discovery document and revocation list).

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2): `*`, or a list of entity tags compared
 * weakly, so `W/"x"` matches `"x"` (a cache may have weakened the tag). `W/` is case-sensitive; an unquoted tag
 * matches nothing. The ETags Vouch makes hold no comma, so splitting the list at commas cannot cut one of them.
 */
export function ifNoneMatchMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const list = Array.isArray(header) ? header.join(',') : header;
  return list.split(',').some((item) => {
    const t = item.trim();
    return t === '*' || (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}
