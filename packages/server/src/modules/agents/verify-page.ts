// `/verify/{x}`: the public page of an agent (Treeship's `public_url`), server-rendered HTML with every user string
// escaped, no script, and a CSP (PAGE_HEADERS) that allows no inline script and nothing from elsewhere. identity.app's
// `verifyUrl` puts a 64-hex signature hash in the same place; those are dispatched to the signatures module's page
// (404 when no signature has the hash), whose one script is the same-origin `/assets/certify.js`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { BadAddressPage, NotFoundPage } from '../../module.ts';
import { didOf } from './ids.ts';
import { domainCheckedAt, loadProfile, verifiedProofs } from './profile.ts';
import { keyProven } from './service.ts';
import type { LoadedProfile } from './profile.ts';
import { isSignatureHash } from './slug.ts';
import { renderSignaturePage } from '../signatures/page.ts';
import { escapeHtml, PAGE_HEADERS, wantsHtml } from '../../web/html.ts';
import { page, STYLESHEET, when } from '../../web/layout.ts';
import type { PageOptions } from '../../web/layout.ts';
import { sendErrorPage } from '../../web/respond.ts';

// The page helpers are shared with the web console (src/web/); re-exported for the modules that import them here.
export { PAGE_HEADERS, escapeHtml } from '../../web/html.ts';
export { STYLESHEET } from '../../web/layout.ts';

/** The agent page. Every value that came from a client is escaped. */
export function renderAgentPage(ctx: AppContext, p: LoadedProfile, layout: PageOptions = {}): string {
  const { row, score } = p;
  const did = didOf(row.id);
  const title = row.name ?? row.slug ?? did;
  const tools: string[] = row.manifest_tools === null ? [] : (JSON.parse(row.manifest_tools) as string[]);
  const proofs = verifiedProofs(p);
  const domainChecked = domainCheckedAt(p);
  const facts: Array<[string, string]> = [
    ['DID', `<code>${escapeHtml(did)}</code>`],
    ['Slug', row.slug === null ? '<span class="muted">none</span>' : `<code>${escapeHtml(row.slug)}</code>`],
    [
      'Owner',
      row.owner_handle === null
        ? '<span class="muted">unclaimed</span>'
        : `${escapeHtml(row.owner_name ?? '')} (<code>${escapeHtml(row.owner_handle)}</code>)`,
    ],
    [
      'Public key',
      row.public_key === null
        ? '<span class="muted">none</span>'
        : `<code>${escapeHtml(row.public_key)}</code> <span class="muted" id="agent-key-proof">${
            keyProven(row) ? '(possession proven)' : '(possession not proven)'
          }</span>`,
    ],
    ['Model', row.model_id === null ? '<span class="muted">not specified</span>' : escapeHtml(row.model_id)],
    [
      'Code hash',
      row.code_hash === null ? '<span class="muted">none</span>' : `<code>${escapeHtml(row.code_hash)}</code>`,
    ],
    [
      'Verified domain',
      row.verified_domain === null
        ? '<span class="muted">none</span>'
        : `${escapeHtml(row.verified_domain)}${
            domainChecked === null ? '' : ` <span class="muted">(last checked ${when(domainChecked)})</span>`
          }`,
    ],
    ['Registered', when(new Date(row.created_at).toISOString())],
  ];
  if (row.revoked_at !== null) facts.push(['Revoked', when(new Date(row.revoked_at).toISOString())]);
  const breakdown = score.breakdown
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.label)}</td><td class="n">${l.earned}</td><td class="n muted">/ ${l.points}</td></tr>`,
    )
    .join('');
  const proofItems =
    proofs.length === 0
      ? '<p class="muted">No verified proofs.</p>'
      : `<ul>${proofs
          .map(
            (x) =>
              `<li><strong>${escapeHtml(x.type)}</strong>: ${escapeHtml(x.value)} <span class="muted">(verified ${when(x.verified_at)})</span></li>`,
          )
          .join('')}</ul>`;
  // A signed manifest may declare no tool: it is still one, with the hash the profile answers.
  const manifestHash = `<p class="muted">Manifest hash <code>${escapeHtml(row.manifest_hash ?? '')}</code></p>`;
  const toolItems =
    row.manifest_hash === null
      ? '<p class="muted">No tool manifest.</p>'
      : tools.length === 0
        ? `<p class="muted" id="agent-no-tools">The tool manifest declares no tools.</p>\n${manifestHash}`
        : `<ul>${tools.map((t) => `<li><code>${escapeHtml(t)}</code></li>`).join('')}</ul>\n${manifestHash}`;
  const body = `<h1 id="agent-name">${escapeHtml(title)}</h1>
<p><span class="status status-${escapeHtml(row.status)}" id="agent-status">${escapeHtml(row.status)}</span></p>
${row.description === null ? '' : `<p id="agent-description" class="lines">${escapeHtml(row.description)}</p>`}
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join('')}</dl>
<h2>Identity score</h2>
<p class="score" id="agent-score">${score.score}<span class="muted"> / 100</span></p>
${score.revoked ? '<p class="muted" id="agent-score-revoked">This agent is revoked: its proofs no longer count.</p>' : ''}
<table><tbody>${breakdown}</tbody></table>
<h2>Verified proofs</h2>
${proofItems}
<h2>Tools</h2>
${toolItems}`;
  return page(ctx, `${title} — Vouch`, body, layout);
}

/** The sentence of the verify pages' 400, shown with the API's code. */
const NOT_AN_ADDRESS = 'This is not the address of an agent or a signature.';

/**
 * The agents module's {@link BadAddressPage}: a `/verify/...` address the router could not read answers a browser's
 * page request (the app asks only for those) with the pages' 400, without the console's navigation.
 */
export function verifyBadAddressPage(ctx: AppContext): BadAddressPage {
  return (req, reply, error) => {
    if (!req.url.startsWith('/verify/')) return false;
    sendErrorPage(ctx, reply, 400, NOT_AN_ADDRESS, false, error.code);
    return true;
  };
}

/**
 * The agents module's {@link NotFoundPage}: a browser's page request for a `/verify/...` address no route serves
 * (extra segments, `/verify/sig/<hash>`) answers the pages' 404, as `/verify/<unknown>` does.
 */
export function verifyNotFoundPage(ctx: AppContext): NotFoundPage {
  return (req, reply, error) => {
    if (!req.url.startsWith('/verify/')) return false;
    sendErrorPage(ctx, reply, 404, 'No agent or signature here.', false, error.code);
    return true;
  };
}

function notFound(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, what: string): object {
  if (wantsHtml(req)) return sendErrorPage(ctx, reply, 404, `No ${what} here.`, false, 'NOT_FOUND');
  void reply.code(404).headers(PAGE_HEADERS).type('application/json; charset=utf-8');
  return { error: `No ${what} here.`, code: 'NOT_FOUND' };
}

export function registerVerifyPages(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/assets/vouch.css',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: { hide: true },
    },
    async (_req, reply) => {
      void reply.type('text/css; charset=utf-8').headers({ ...PAGE_HEADERS, 'cache-control': 'public, max-age=3600' });
      return STYLESHEET;
    },
  );

  // Browsers ask every origin for /favicon.ico whatever the page says; a 404 there was a console error on each page
  // view. There is no icon: an empty answer, which the browser keeps for a day.
  app.get(
    '/favicon.ico',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: { hide: true },
    },
    async (_req, reply) =>
      reply
        .code(204)
        .headers({ ...PAGE_HEADERS, 'cache-control': 'public, max-age=86400' })
        .send(),
  );

  app.get(
    '/verify/:x',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      // A reference the schema refuses is the handler's to answer: a page for a browser, the API's 400 otherwise.
      attachValidation: true,
      schema: {
        summary: "Public page: an agent's identity (slug, DID or id); a 64-hex signature hash shows that signature.",
        tags: ['identity'],
        params: {
          type: 'object',
          required: ['x'],
          properties: { x: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      if (req.validationError !== undefined) {
        if (!wantsHtml(req)) throw req.validationError;
        return sendErrorPage(ctx, reply, 400, NOT_AN_ADDRESS, false, 'VALIDATION_FAILED');
      }
      const { x } = req.params as { x: string };
      if (isSignatureHash(x)) {
        // identity.app's verifyUrl: the signatures module renders the signature page.
        const html = await renderSignaturePage(ctx, x);
        if (html === undefined) return notFound(ctx, req, reply, 'signature with this hash');
        void reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS);
        return html;
      }
      const profile = await loadProfile(ctx, x);
      if (profile === undefined) return notFound(ctx, req, reply, 'agent with this slug');
      void reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS);
      return renderAgentPage(ctx, profile);
    },
  );
}
