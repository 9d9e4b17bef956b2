import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { errorBodySchema } from '../errors.ts';
import { escapeHtml, PAGE_HEADERS } from '../web/html.ts';
import { addSharedResponses } from './openapi-responses.ts';

/** Registers the OpenAPI 3.1 generator; routes registered afterwards appear in `/docs/json`. */
export async function installOpenApi(app: FastifyInstance, publicUrl: string, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vouch',
        version,
        description: 'Identity, credential and trust service for AI agents.',
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          adminKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The admin key.' },
          integratorKey: { type: 'http', scheme: 'bearer', description: 'An integrator API key.' },
          ownerToken: { type: 'http', scheme: 'bearer', description: "An owner's token." },
          managementToken: { type: 'http', scheme: 'bearer', description: 'A management token.' },
          agentSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'x-vouch-signature',
            description: "An agent's Ed25519 signature over the request.",
          },
        },
      },
    },
    // Only OpenAPI documents are generated here (`openapi` above), never Swagger 2.
    transformObject: (doc) =>
      addSharedResponses('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject, { ...errorBodySchema }),
  });
}

/** Who may call an operation, from its security requirements: `{}` is an anonymous caller. */
function callersOf(security: ReadonlyArray<Record<string, unknown>> | undefined): string {
  if (!security || security.length === 0) return 'public';
  return security.map((s) => (Object.keys(s).length === 0 ? 'public' : Object.keys(s).join(' + '))).join(', or ');
}

/** `/docs` (a readable index) and `/docs/json` (the OpenAPI document). */
export function registerDocsRoutes(app: FastifyInstance): void {
  const policy = { caller: 'public' as const, rateLimit: 'default' as const };
  app.get('/docs/json', { config: { policy }, schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { config: { policy }, schema: { hide: true } }, async (_req, reply) => {
    const doc = app.swagger() as {
      paths?: Record<string, Record<string, { summary?: string; security?: Array<Record<string, unknown>> }>>;
    };
    const rows: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(ops)) {
        const who = callersOf(op.security);
        rows.push(
          `<tr><td>${escapeHtml(method.toUpperCase())}</td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(who)}</td><td>${escapeHtml(op.summary ?? '')}</td></tr>`,
        );
      }
    }
    // The same headers and same-origin stylesheet as every other page: no inline style or script.
    void reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS);
    return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Vouch API</title>
<link rel="stylesheet" href="assets/vouch.css">
</head><body><main class="wide"><h1>Vouch API</h1><p>The OpenAPI 3.1 document: <a href="docs/json">/docs/json</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Caller</th><th>Summary</th></tr></thead><tbody>${rows.join('')}</tbody></table></main></body></html>`;
  });
}
