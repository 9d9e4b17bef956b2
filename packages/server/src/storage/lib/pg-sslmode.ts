/**
 * pg (pg-connection-string 2.x) reads `sslmode=prefer`, `require` and `verify-ca` as `verify-full`, and says so in a
 * ten-line SECURITY WARNING on stderr the first time it parses one: that broke the CLI's one-line errors and littered
 * server logs. Vouch keeps the meaning pg has always given them (encrypted, certificate and host name verified; no
 * plain-text fallback for `prefer`), now written out as `verify-full` so pg has nothing to warn about and its next
 * major, which gives them libpq's weaker meaning, cannot weaken a deployment silently. A URL with
 * `uselibpqcompat=true` asked for libpq's meaning and is left as written (pg does not warn then either).
 */
const ALIASES = new Set(['prefer', 'require', 'verify-ca']);

/** `url` with each `sslmode=prefer|require|verify-ca` written as `sslmode=verify-full`, unless it opts into libpq's. */
export function explicitSslMode(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const end = hash === -1 ? url.length : hash;
  const pairs = url.slice(q + 1, end).split('&');
  const nameOf = (pair: string): string => (pair.includes('=') ? pair.slice(0, pair.indexOf('=')) : pair);
  const valueOf = (pair: string): string => {
    const raw = pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : '';
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      return raw;
    }
  };
  if (pairs.some((p) => nameOf(p) === 'uselibpqcompat')) return url;
  let changed = false;
  const out = pairs.map((p) => {
    if (nameOf(p) !== 'sslmode' || !ALIASES.has(valueOf(p))) return p;
    changed = true;
    return 'sslmode=verify-full';
  });
  return changed ? url.slice(0, q + 1) + out.join('&') + url.slice(end) : url;
}
