// The web console (issue 8): server-rendered pages for operators and verifiers — overview, trust registry, agent
// pages and the token inspector. Readable without JavaScript, nothing loaded from elsewhere, every value escaped,
// CSP `default-src 'self'`. It reads other modules only through their service functions.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { VouchModule } from '../../module.ts';
import { wantsHtml } from '../../web/html.ts';
import type { NavSection } from '../../web/layout.ts';
import { sendAgentPage } from './agent-page.ts';
import { cachedCounts, renderOverview } from './overview.ts';
import { renderRegistryPage } from './registry-page.ts';
import { loadRegistryView } from './registry-view.ts';
import { sendErrorPage, sendPage } from '../../web/respond.ts';
import { registerTokenInspector } from './token-inspect.ts';

const PAGE = { config: { policy: { caller: 'public' as const, rateLimit: 'default' as const } } };

async function registerConsoleRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const counts = cachedCounts(ctx);
  app.get('/', { ...PAGE, schema: { summary: 'Web console: overview.', tags: ['console'] } }, async (_req, reply) =>
    sendPage(reply, await renderOverview(ctx, counts)),
  );

  app.get(
    '/registry',
    { ...PAGE, schema: { summary: 'Web console: the trust registry and its verification.', tags: ['console'] } },
    async (_req, reply) => sendPage(reply, renderRegistryPage(ctx, await loadRegistryView(ctx))),
  );

  app.get(
    '/agents/:did',
    {
      ...PAGE,
      // No length or pattern in the schema: whatever is asked, the answer is an HTML page (404 when unknown).
      schema: {
        summary: "Web console: an agent's page by DID (an internal id or slug works too).",
        tags: ['console'],
        params: { type: 'object', required: ['did'], properties: { did: { type: 'string' } } },
      },
    },
    async (req, reply) => sendAgentPage(ctx, reply, (req.params as { did: string }).did),
  );

  await registerTokenInspector(app, ctx);
}

/** Page paths with a parameter, whose unreadable addresses get the console's 400 page instead of JSON. */
const PAGE_PREFIXES = ['/agents/'];

/**
 * Paths under the console's pages, and the section each belongs to: a browser that asks for one no route serves (an
 * agent page with extra segments, `/registry/x`, `/tokens/inspect/x`) gets the console's 404 page instead of JSON.
 */
const NOT_FOUND_SECTIONS: ReadonlyArray<[prefix: string, section: NavSection]> = [
  ['/agents/', 'agents'],
  ['/registry/', 'registry'],
  ['/tokens/', 'tokens'],
];

export const consoleModule: VouchModule = {
  name: 'console',
  routes: registerConsoleRoutes,
  badAddressPage: (ctx) => (req, reply, error) => {
    if (!PAGE_PREFIXES.some((prefix) => req.url.startsWith(prefix))) return false;
    sendErrorPage(ctx, reply, 400, 'This address is not a valid agent page address.', 'agents', error.code);
    return true;
  },
  notFoundPage: (ctx) => (req, reply, error) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !wantsHtml(req)) return false;
    const path = req.url.split('?')[0]!;
    const section = NOT_FOUND_SECTIONS.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (section === undefined) return false;
    sendErrorPage(ctx, reply, 404, 'There is no console page at this address.', section, error.code);
    return true;
  },
};
