// Sending pages (the console's and the verify pages): HTML with the page security headers, and HTML error pages
// (never a 5xx for what a visitor typed).
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../context.ts';
import { escapeHtml, PAGE_HEADERS } from './html.ts';
import { page } from './layout.ts';
import type { NavSection } from './layout.ts';

/** Sends a whole page as `text/html` with `headers` (default {@link PAGE_HEADERS}). */
export function sendPage(
  reply: FastifyReply,
  html: string,
  options: { status?: number; headers?: Readonly<Record<string, string>> } = {},
): FastifyReply {
  return reply
    .code(options.status ?? 200)
    .headers(options.headers ?? PAGE_HEADERS)
    .type('text/html; charset=utf-8')
    .send(html);
}

/**
 * A 4xx page: a heading and one sentence, in the page layout with the console navigation (`nav`; `false`: none, as
 * on the verify pages), and the API's `code` for it when given.
 */
export function sendErrorPage(
  ctx: AppContext,
  reply: FastifyReply,
  status: 400 | 404,
  message: string,
  nav: NavSection | boolean = true,
  code?: string,
): FastifyReply {
  const heading = status === 404 ? 'Not found' : 'Bad request';
  const shown = code === undefined ? '' : `<p class="muted">Code <code id="error-code">${escapeHtml(code)}</code></p>`;
  const body = `<h1>${heading}</h1><p id="error-message">${escapeHtml(message)}</p>${shown}`;
  return sendPage(reply, page(ctx, `${heading} — Vouch`, body, nav === false ? {} : { nav }), { status });
}
