// The web console (issue 8): server-rendered pages for operators and verifiers — overview, trust registry, agent
// pages and the token inspector. Readable without JavaScript, nothing loaded from elsewhere, every value escaped,
// CSP `default-src 'self'`. It reads other modules only through their service functions.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { VouchModule } from '../../module.ts';
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

/** The console's sections by the root of their paths, for the navigation of an error page under one. */
const SECTIONS: ReadonlyArray<[root: string, section: NavSection]> = [
  ['/agents', 'agents'],
  ['/registry', 'registry'],
  ['/tokens', 'tokens'],
];

function sectionOf(url: string): NavSection | true {
  const path = url.split('?')[0]!;
  return SECTIONS.find(([root]) => path === root || path.startsWith(`${root}/`))?.[1] ?? true;
}

/**
 * The console is the site's pages: the app asks its page hooks only for a browser's page request (a GET or HEAD
 * outside the API, web/error-pages.ts), and it answers every one that a module asked before it (the verify pages,
 * under /verify/) left, with its 404 or 400 page showing the API's code, in its layout.
 */
export const consoleModule: VouchModule = {
  name: 'console',
  routes: registerConsoleRoutes,
  badAddressPage: (ctx) => (req, reply, error) => {
    sendErrorPage(ctx, reply, 400, 'This is not an address this server can read.', sectionOf(req.url), error.code);
    return true;
  },
  notFoundPage: (ctx) => (req, reply, error) => {
    sendErrorPage(ctx, reply, 404, 'There is no page at this address.', sectionOf(req.url), error.code);
    return true;
  },
};
