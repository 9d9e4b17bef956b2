// The one page layout of the server's HTML (verify pages and web console) and its stylesheet, served from this
// origin at `/assets/vouch.css`. What a page loads, posts to or navigates to within the server is a same-origin path
// (the path of VOUCH_PUBLIC_URL, without its scheme and host), so a page works at whatever address it was opened
// (an SSH tunnel, 127.0.0.1 for localhost) under its CSP's `'self'`; URLs shown to be copied or shared (verify
// links, issuers) stay absolute under VOUCH_PUBLIC_URL. Nothing comes from request headers.
import type { AppContext } from '../context.ts';
import { publicPathOf } from '../config.ts';
import { escapeHtml } from './html.ts';

/**
 * The stylesheet of every page (`/assets/vouch.css`); it loads nothing else (no `url()`, no `@import`). Text that came
 * from a client (paragraphs, definitions, list items, table cells, code) wraps anywhere, so a long value without a
 * space stays in the page's column instead of widening the page. `.lines`: text that may span lines (a description)
 * keeps them. `.scroll`: a box around a table too wide for a phone (the registry page's), which scrolls sideways in
 * it instead of the whole page.
 */
export const STYLESHEET = `body{font-family:system-ui,-apple-system,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:46rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #dde1e7;border-radius:8px}
main.wide{max-width:66rem}
h1{margin:.2rem 0 .6rem;font-size:1.6rem;overflow-wrap:anywhere}h2{font-size:1.1rem;margin-top:1.6rem}
code{font-size:.9em;overflow-wrap:anywhere}p,dd,li,td{overflow-wrap:anywhere}.lines{white-space:pre-line}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dt{color:#5b6472}dd{margin:0}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eceff3;
padding:.3rem .4rem;text-align:left;vertical-align:top}td.n{text-align:right}.status{display:inline-block;padding:.1rem .5rem;
border-radius:4px;font-weight:600}.status-claimed{background:#e3f5e8;color:#17642f}.status-unclaimed{background:#eef1f5;
color:#3a4452}.status-revoked{background:#fde8e8;color:#9b1c1c}.score{font-size:2rem;font-weight:700}
.status-active,.status-valid{background:#e3f5e8;color:#17642f}.status-invalid{background:#fde8e8;color:#9b1c1c}
.muted{color:#5b6472}footer{margin-top:2rem;font-size:.85rem;color:#5b6472}
nav.site{max-width:46rem;margin:1rem auto 0;padding:0 2rem;display:flex;flex-wrap:wrap;gap:1.2rem}
nav.site.wide{max-width:66rem}
nav.site a{color:#1d4ed8;text-decoration:none}nav.site a[aria-current=page]{color:#1d2430;font-weight:700}
.counts{display:flex;flex-wrap:wrap;gap:1rem}.counts div{flex:1;min-width:8rem;padding:.6rem .8rem;border:1px solid #dde1e7;
border-radius:6px}.counts strong{display:block;font-size:1.6rem}
pre{background:#f3f4f6;padding:.8rem;border-radius:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
textarea{width:100%;box-sizing:border-box;font-family:ui-monospace,monospace;font-size:.85rem}
button{margin-top:.6rem;padding:.4rem 1rem;font-size:1rem}.error{color:#9b1c1c}`;

/** The console's sections, for the navigation bar. */
export type NavSection = 'overview' | 'registry' | 'agents' | 'tokens';

export interface PageOptions {
  /** Show the console navigation, with this section current (`true`: none current). */
  nav?: NavSection | true;
  /** A wider main column, for tables. */
  wide?: boolean;
}

const NAV: ReadonlyArray<[NavSection, string, string]> = [
  ['overview', '/', 'Overview'],
  ['registry', '/registry', 'Trust registry'],
  ['tokens', '/tokens/inspect', 'Token inspector'],
];

/** The path of VOUCH_PUBLIC_URL (`''` at the root, `/vouch` for `https://x.example/vouch/`), never ending in `/`. */
export function basePath(ctx: AppContext): string {
  return publicPathOf(ctx.config);
}

/**
 * A same-origin path of this server for `path` (starting with `/`): under VOUCH_PUBLIC_URL's path, without its scheme
 * and host, escaped for an attribute. For what a page loads, posts to or links to within the server.
 */
export function href(ctx: AppContext, path: string): string {
  return escapeHtml(`${basePath(ctx)}${path}`);
}

function nav(ctx: AppContext, current: NavSection | true, wide: boolean): string {
  const links = NAV.map(
    ([section, path, label]) =>
      `<a href="${href(ctx, path)}"${section === current ? ' aria-current="page"' : ''}>${escapeHtml(label)}</a>`,
  );
  return `<nav class="site${wide ? ' wide' : ''}" aria-label="Console">${links.join('')}</nav>\n`;
}

/**
 * A whole HTML page: `title` is escaped here; `body` must already be safe HTML (escape every value in it).
 *
 * @example
 * reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(page(ctx, 'Overview — Vouch', body, { nav: 'overview' }));
 */
export function page(ctx: AppContext, title: string, body: string, options: PageOptions = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${href(ctx, '/assets/vouch.css')}">
</head><body>
${options.nav === undefined ? '' : nav(ctx, options.nav, options.wide === true)}<main${options.wide === true ? ' class="wide"' : ''}>
${body}
<footer>Vouch — identity, credentials and trust for AI agents.</footer>
</main></body></html>
`;
}

/** An ISO-8601 UTC time, with or without milliseconds (or ms epoch), as `2026-01-01 00:00:00 UTC`, escaped. */
export function when(t: string | number): string {
  const iso = typeof t === 'number' ? new Date(t).toISOString() : t;
  return escapeHtml(iso.replace('T', ' ').replace(/(?:\.\d{3})?Z$/, ' UTC'));
}
