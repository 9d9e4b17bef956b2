// HTML helpers shared by every server-rendered page (the verify pages, the web console): escaping and the
// security headers. Pages carry no inline script or style; anything they load comes from this origin.
import type { FastifyRequest } from 'fastify';

// Characters a reader never sees but that change what is shown: the C1 controls and the bidi embeddings, overrides
// and isolates, which reorder the text after them ("Trojan Source"). Names and notes refuse them at the API, but
// registry entries and signed content may carry them; a page shows U+FFFD in their place, as the CLI does.
const REORDERING = /[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes text for HTML element content and double- or single-quoted attribute values, with every C1 control and
 * bidi embedding, override or isolate shown as U+FFFD.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`).replace(REORDERING, '\uFFFD');
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

/**
 * Whether the request asks for a page (its Accept names `text/html`, as a browser's navigation does): where a path
 * serves both, a browser gets the HTML page and other callers the API's JSON.
 */
export function wantsHtml(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}
