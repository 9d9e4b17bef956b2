import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { IDENTIFIER_TEXT } from '../../http/text-patterns.ts';
import { listAudit, MAX_AUDIT_ACTION } from '../../storage/index.ts';
import type { VouchModule } from '../../module.ts';

const auditEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string' },
    action: { type: 'string' },
    target: { type: ['string', 'null'] },
    details: { type: ['object', 'null'], additionalProperties: true },
    requestId: { type: ['string', 'null'] },
  },
} as const;

/** Admin views of server state. Reading changes nothing, so these routes are not themselves audited. */
function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/admin/audit',
    {
      config: { policy: { caller: 'admin', rateLimit: 'default' } },
      schema: {
        summary: 'Read the append-only audit log of admin and governance actions, newest first.',
        tags: ['admin'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            before: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            action: { type: 'string', minLength: 1, maxLength: 100, pattern: IDENTIFIER_TEXT },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: auditEntrySchema },
              next: { type: ['integer', 'null'] },
            },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { limit: number; before?: number; action?: string };
      // The schema counts code points, the log UTF-16 units: an action longer than any it stores matches nothing.
      if (q.action !== undefined && q.action.length > MAX_AUDIT_ACTION) return { entries: [], next: null };
      // One row more than the page says whether another page follows, so the last page says so itself (as
      // GET /api/v1/owners/me does): a full last page does not send a client for one more, empty, page.
      const rows = await listAudit(ctx.storage.db, { limit: q.limit + 1, beforeId: q.before, action: q.action });
      const entries = rows.slice(0, q.limit);
      return {
        entries: entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        next: rows.length > q.limit ? entries.at(-1)!.id : null,
      };
    },
  );
}

export const adminModule: VouchModule = { name: 'admin', routes: registerAdminRoutes };
