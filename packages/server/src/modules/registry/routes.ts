// Trust registry routes (docs/registry.md, issue 4): authority mode (default) or consumer mode
// (VOUCH_TRUST_REGISTRY_URL), exactly one of the two per server.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkIssuer, REGISTRY_LIMITS, RegistryFormatError, type IssuerSignature, type Proposal } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError, errorBodySchema } from '../../errors.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import { documentedBody } from '../../http/response-schemas.ts';
import type { VouchModule } from '../../module.ts';
import { Authority, RegistryRefusal, view } from './authority.ts';
import { Consumer, MAX_DOCUMENT_BYTES } from './consumer.ts';
import { ifNoneMatchMatches } from '../../http/conditional.ts';
import { servedDocument } from './served-document.ts';
import { getTrustedRegistry, isConsumer, registryRuntime, setRegistryRuntime } from './service.ts';
import * as store from './store.ts';
import { repeatEvery } from '../../timers.ts';

const WRITE_LIMIT = { max: 30, windowMs: 60_000 } as const;
/** Seconds a cache may keep the registry document (less when it expires sooner). */
const DOCUMENT_MAX_AGE = 60;
const ID = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;

/**
 * The request path of a registry format error's value (`body.issuers[1].endpoint`), as every other `field` is: the
 * SDK names it inside the value it checked (`endpoint`) and names that value apart (`source`). `rebase` renames a
 * root the SDK chose (the co-signature route's body is what the SDK calls `signature`).
 */
function requestField(err: RegistryFormatError, rebase?: { from: string; to: string }): string {
  let field = err.field;
  if (rebase !== undefined && (field === rebase.from || field.startsWith(`${rebase.from}.`))) {
    field = rebase.to + field.slice(rebase.from.length);
  }
  const source = err.source ?? '';
  if (source === '' || field === '') return source === '' ? field : source;
  return field.startsWith('[') ? `${source}${field}` : `${source}.${field}`;
}

/** Registry refusals carry more than `{error, code}`: the offending field, or every verification failure. */
async function withRegistryErrors<T>(
  reply: FastifyReply,
  fn: () => Promise<T>,
  rebase?: { from: string; to: string },
): Promise<T | FastifyReply> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryFormatError) {
      return reply.code(400).send({ error: err.message, code: err.code, field: requestField(err, rebase) });
    }
    if (err instanceof RegistryRefusal) {
      return reply
        .code(400)
        .send({ error: err.message, code: err.failures[0]?.code ?? 'REGISTRY_INVALID', failures: err.failures });
    }
    throw err;
  }
}

function authorityOf(ctx: AppContext): Authority {
  const rt = registryRuntime(ctx);
  if (rt.mode !== 'authority') {
    throw new ApiError('REGISTRY_READ_ONLY', 'This server follows a trust registry published elsewhere (read-only).');
  }
  return rt.authority;
}

async function registerRegistryRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  if (isConsumer(ctx)) {
    const consumer = new Consumer(ctx, app.log);
    setRegistryRuntime(ctx, { mode: 'consumer', consumer });
    await consumer.start();
    // Not setInterval: the TTL may be up to 30 days, and a Node timer over ~24.8 days fires after 1 ms.
    const stop = repeatEvery(ctx.config.registry.trustTtlSeconds * 1000, () => {
      consumer.refresh().catch((err: unknown) => app.log.warn({ err }, 'trust registry refresh failed'));
    });
    app.addHook('onClose', async () => stop());
  } else {
    const authority = new Authority(ctx, app.log);
    setRegistryRuntime(ctx, { mode: 'authority', authority });
    // startServer creates (or imports) the root key and fails on a problem; here a failure only waits for first use.
    await authority.rootKey().catch((err: unknown) => app.log.warn({ err }, 'registry root key not available yet'));
    // Re-sign at half-life even when nobody reads (reads re-sign lazily too).
    const every = Math.min(ctx.config.registry.validitySeconds * 250, 3_600_000);
    const timer = setInterval(() => {
      authority.current().catch((err: unknown) => app.log.warn({ err }, 'trust registry re-signing failed'));
    }, every);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  app.get(
    '/.well-known/agent-trust.json',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary:
          'The signed trust registry document (docs/registry.md), with a strong ETag of its bytes: 304 for a ' +
          'matching If-None-Match.',
        tags: ['registry'],
        response: {
          200: documentedBody('The signed registry document.'),
          304: { description: 'Not modified: the ETag sent in If-None-Match is still current.' },
        },
      },
    },
    async (req, reply) => {
      const { doc } = await getTrustedRegistry(ctx);
      // Never cached past its expiry: a consumer serves its last good document until then (source down), and a
      // cache holding it longer would hand out a document every verifier refuses.
      const left = Math.floor((Date.parse(doc.expiresAt) - ctx.clock.now()) / 1000);
      const { body, etag } = servedDocument(doc);
      void reply
        .header('cache-control', `public, max-age=${Math.max(0, Math.min(DOCUMENT_MAX_AGE, left))}`)
        .header('etag', etag);
      // The document is in force (getTrustedRegistry refuses an expired one), so the copy the client holds is current.
      if (ifNoneMatchMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/v1/registry',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: { summary: 'A summary of the trust registry in force and of this server’s mode.', tags: ['registry'] },
    },
    async () => {
      const rt = registryRuntime(ctx);
      const { doc, sequence, chainHash } = await getTrustedRegistry(ctx);
      return {
        mode: rt.mode,
        registry: doc.registry,
        sequence,
        chainHash,
        updatedAt: doc.updatedAt,
        expiresAt: doc.expiresAt,
        threshold: doc.threshold,
        issuers: doc.issuers.map((e) => ({ id: e.id, endpoint: e.endpoint, name: e.metadata.name })),
        revoked: doc.revoked.map((r) => ({ id: r.id, revokedAt: r.revokedAt })),
        ...(rt.mode === 'authority' ? { rootKey: (await rt.authority.rootKey()).publicKey } : {}),
      };
    },
  );

  app.get(
    '/v1/registry/issuers/:id',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'One issuer: active (with its entry) or revoked (with its record).',
        tags: ['registry'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { doc, sequence } = await getTrustedRegistry(ctx);
      const found = checkIssuer(doc, id);
      if (found.status === 'unknown') throw new ApiError('NOT_FOUND', `No issuer "${id}" in the registry.`);
      return { sequence, ...found };
    },
  );

  app.post(
    '/v1/registry/genesis',
    {
      // A registry built by the CLI may be far larger than ordinary bodies; admin only.
      bodyLimit: MAX_DOCUMENT_BYTES,
      config: { policy: { caller: 'admin', rateLimit: { max: 10, windowMs: 60_000 } } },
      schema: {
        summary:
          'Create the registry once: upload a document built by `vouch registry build` with this root key, or ' +
          'send the founding issuers and threshold. 201 created, 200 the same registry again, 409 another one.',
        tags: ['registry'],
        response: {
          200: documentedBody('This registry was already created: `{registry, sequence, chainHash}`.'),
          201: documentedBody('The registry was created: `{registry, sequence, chainHash}`.'),
          409: errorBodySchema,
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            document: { type: 'object' },
            issuers: { type: 'array', minItems: 1, maxItems: REGISTRY_LIMITS.maxIssuers, items: { type: 'object' } },
            threshold: { type: 'integer', minimum: 1, maximum: REGISTRY_LIMITS.maxIssuers },
          },
        },
      },
    },
    async (req, reply) =>
      withRegistryErrors(reply, async () => {
        const authority = authorityOf(ctx);
        const r = await authority.genesis(req.body as never, req.id, adminActorOf(req.principal!));
        return reply.code(r.status).send({ registry: r.registry, sequence: r.sequence, chainHash: r.chainHash });
      }),
  );

  app.post(
    '/v1/registry/proposals',
    {
      config: { policy: { caller: 'public', rateLimit: WRITE_LIMIT } },
      schema: {
        summary:
          'Post a governance proposal (docs/registry.md). It must carry the co-signature of the active issuer ' +
          'posting it; every signature on it must count. At quorum it applies at once.',
        tags: ['registry'],
        body: { type: 'object' },
        response: {
          200: documentedBody(
            'This proposal was posted before: its current state, with any co-signatures it lacked added.',
          ),
          201: documentedBody('The proposal was recorded (and applied if it reached quorum): its state.'),
          409: errorBodySchema,
        },
      },
    },
    async (req, reply) =>
      withRegistryErrors(reply, async () => {
        const { created, view: v } = await authorityOf(ctx).propose(req.body, req.id);
        return reply.code(created ? 201 : 200).send(v);
      }),
  );

  app.get(
    '/v1/registry/proposals',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'Proposals, newest first.',
        tags: ['registry'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['pending', 'applied', 'stale', 'expired'] },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        // 409 REGISTRY_READ_ONLY on a consumer, which holds no proposals.
        response: { 200: documentedBody('Proposals, newest first: `{proposals}`.'), 409: errorBodySchema },
      },
    },
    async (req) => {
      authorityOf(ctx);
      const q = req.query as { status?: store.ProposalRow['status'] | 'expired'; limit: number };
      const now = ctx.clock.now();
      const rows = await store.listProposals(ctx.storage.db, { ...q, now });
      return { proposals: rows.map((r) => view(r, JSON.parse(r.proposal) as Proposal, undefined, now)) };
    },
  );

  app.get(
    '/v1/registry/proposals/:id',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'One proposal with its co-signatures.',
        tags: ['registry'],
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        response: { 200: documentedBody('The proposal and its state.'), 409: errorBodySchema },
      },
    },
    async (req) => {
      authorityOf(ctx);
      const { id } = req.params as { id: string };
      const row = await store.readProposal(ctx.storage.db, id);
      if (row === undefined) throw new ApiError('NOT_FOUND', `No proposal ${id}.`);
      return view(row, JSON.parse(row.proposal) as Proposal, undefined, ctx.clock.now());
    },
  );

  app.post(
    '/v1/registry/proposals/:id/signatures',
    {
      config: { policy: { caller: 'public', rateLimit: WRITE_LIMIT } },
      schema: {
        summary:
          'Add one co-signature, checked at once (valid, by an active issuer, not the subject, not twice; ' +
          '`signedAt` within the signature window). At quorum the proposal applies.',
        tags: ['registry'],
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['issuerId', 'signature', 'signedAt'],
          properties: {
            issuerId: { type: 'string', maxLength: 64 },
            signature: { type: 'string', maxLength: 200 },
            signedAt: { type: 'string', maxLength: 40 },
          },
        },
        response: {
          200: documentedBody('The proposal with the signature added (applied if it reached quorum): its state.'),
          409: errorBodySchema,
        },
      },
    },
    async (req, reply) =>
      withRegistryErrors(
        reply,
        async () => {
          const { id } = req.params as { id: string };
          return authorityOf(ctx).cosign(id, req.body as IssuerSignature, req.id);
        },
        { from: 'signature', to: 'body' },
      ),
  );

  app.post(
    '/v1/registry/refresh',
    {
      config: { policy: { caller: 'admin', rateLimit: { max: 10, windowMs: 60_000 } } },
      schema: {
        summary: 'Consumer mode: fetch and verify the followed registry now (409 on the authority).',
        tags: ['registry'],
        response: {
          200: documentedBody('The followed registry as now held (docs/registry.md).'),
          409: errorBodySchema,
        },
      },
    },
    async (req) => {
      const rt = registryRuntime(ctx);
      if (rt.mode !== 'consumer') {
        throw new ApiError('CONFLICT', 'This server is the registry authority; there is nothing to refresh.');
      }
      // Audited whatever the outcome, by the refresh itself: in the transaction that stores a document it fetched
      // (beside that adoption's own entry, actor registry-refresh), so neither is ever written without the other.
      return rt.consumer.refresh({ actor: adminActorOf(req.principal!), requestId: req.id });
    },
  );
}

export const registryModule: VouchModule = { name: 'registry', routes: registerRegistryRoutes };
