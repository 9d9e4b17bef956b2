// HTML helpers shared by every server-rendered page (the verify pages, the web console): escaping and the
// security headers. Pages carry no inline script or style; anything they load comes from this origin.

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text as inline code: `<code>` around the escaped text. */
export function code(s: string): string {
  return `<code>${escapeHtml(s)}</code>`;
}

/** Every page's security headers: nothing but this origin, no plugin, no framing, no form submission. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * {@link PAGE_HEADERS} for a page with a form posting back to this origin (`form-action 'self'`); every other page
 * keeps `form-action 'none'`.
 *
 * @example
 * void reply.headers(formPageHeaders());
 */
export function formPageHeaders(): Record<string, string> {
  return {
    ...PAGE_HEADERS,
    'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  };
}
