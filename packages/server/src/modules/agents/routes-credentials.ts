// Replacing a leaked credential without giving up the agent: a new management token for an agent, a new API key for
// an owner. In both the old secret stops working when the answer is sent (also for requests it authenticated that
// have not acted yet: see holdCredential), and the new one is shown once.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { announceKeysDropped, recentKeysOf } from '../../http/recent-keys.ts';
import { hashSecret } from '../../http/secrets.ts';
import { recordAudit } from '../../storage/index.ts';
import { actorOf, assertMayManage, holdCredential } from './auth.ts';
import { forgetManagementTokens, replaceManagementToken } from './credentials.ts';
import { didOf, isId, newSecret, SECRET_PREFIX } from './ids.ts';
import { agentIdParams, answers, idFor } from './schemas.ts';
import { assertAgentActive, lookupAgentRow } from './service.ts';
import * as store from './store.ts';

const emptyBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

export function registerCredentialRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.post(
    '/api/v1/agents/:id/rotate-management-token',
    {
      // Not the management token itself: a thief holding it must not be able to lock the operator out.
      config: { policy: { caller: ['agent-signature', 'owner', 'admin'], rateLimit: 'default' } },
      schema: {
        summary:
          "Replace an agent's management tokens with a new one, shown once (its signature, its owner, or the admin).",
        tags: ['agents'],
        params: agentIdParams,
        body: emptyBody,
        response: answers(
          200,
          'The new management token, shown once: `{did, managementToken, revoked, rotatedAt}`.',
          403,
          409,
        ),
      },
    },
    async (req) => {
      const row = await lookupAgentRow(db, idFor(req));
      if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
      assertMayManage(req.principal, row);
      assertAgentActive(row);
      const principal = req.principal!;
      const now = ctx.clock.now();
      const { token, revoked } = await db.transaction().execute(async (trx) => {
        // Locked, so concurrent replacements take turns and leave exactly one live token.
        const current = await store.lockAgent(trx, ctx.storage.engine, row.id);
        if (current === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
        assertAgentActive(current);
        await holdCredential(trx, ctx.storage.engine, req, now);
        const replaced = await replaceManagementToken(ctx, trx, row.id, now, true);
        await recordAudit(trx, {
          at: now,
          actor: actorOf(principal),
          action: 'agent.rotate_management_token',
          target: didOf(row.id),
          details: { by: principal.caller, revoked: replaced.revoked },
          requestId: req.id,
        });
        return replaced;
      });
      forgetManagementTokens(ctx, row.id, token);
      return { did: didOf(row.id), managementToken: token!, revoked, rotatedAt: now };
    },
  );

  app.post(
    '/api/v1/owners/:id/rotate-key',
    {
      config: { policy: { caller: ['owner', 'admin'], rateLimit: 'default' } },
      schema: {
        summary:
          "Replace an owner's API keys with a new one, shown once: the owner (`me` or its id) or the admin. The old keys stop working at once.",
        tags: ['owners'],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 200, description: '`me`, or the owner id.' } },
        },
        body: emptyBody,
        response: answers(200, 'The new API key, shown once: `{ownerId, apiKey, revoked, rotatedAt}`.', 403),
      },
    },
    async (req) => {
      const principal = req.principal!;
      const { id } = req.params as { id: string };
      const ownerId = id === 'me' && principal.caller === 'owner' ? principal.id : id;
      if (principal.caller === 'owner' && ownerId !== principal.id) {
        throw new ApiError('FORBIDDEN', 'An owner may rotate only its own API key.');
      }
      if (!isId(ownerId)) throw new ApiError('NOT_FOUND', 'No owner has this id.');
      const apiKey = newSecret(SECRET_PREFIX.ownerApiKey);
      const keyHash = hashSecret(apiKey);
      const now = ctx.clock.now();
      const revoked = await db.transaction().execute(async (trx) => {
        // Locked, so that of two concurrent rotations (an owner and a thief with the same key) one acts and the
        // other then finds its key revoked.
        if ((await store.lockOwner(trx, ctx.storage.engine, ownerId)) === undefined) {
          throw new ApiError('NOT_FOUND', 'No owner has this id.');
        }
        await holdCredential(trx, ctx.storage.engine, req, now);
        const n = await store.revokeOwnerApiKeys(trx, ownerId, now);
        // The linking keys an old API key minted link agents to this owner for 7 days: they stop with it (a thief
        // with a leaked key could have minted them). The owner mints new ones with the new key.
        const linkingKeys = await store.expireLinkingKeys(trx, ownerId, now);
        await store.insertOwnerApiKey(trx, ownerId, keyHash, now);
        await announceKeysDropped(trx, ctx, 'owner', ownerId);
        await recordAudit(trx, {
          at: now,
          actor: actorOf(principal),
          action: 'owner.rotate_key',
          target: ownerId,
          details: {
            by: principal.caller,
            revoked: n,
            ...(linkingKeys === 0 ? {} : { linkingKeysRevoked: linkingKeys }),
          },
          requestId: req.id,
        });
        return n;
      });
      // The old keys lose their owner's rate-limit bucket here at once (other processes' as the announcement reaches
      // them); the new one has it from its first use.
      const recent = recentKeysOf(ctx).owner;
      recent.forgetId(ownerId);
      recent.remember(keyHash, ownerId);
      return { ownerId, apiKey, revoked, rotatedAt: now };
    },
  );
}
