// identity.app's side (seed 002): proof-of-work registration with DIDs, owners, linking keys and claim tokens; and
// what every agent can do whichever route registered it: take or release a slug, revoke, rotate its key.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkPow, formatPublicKey, parsePublicKey } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { DISPLAY_TEXT } from '../../http/text-patterns.ts';
import type { Principal } from '../../http/policy.ts';
import { hashSecret } from '../../http/secrets.ts';
import { recordAudit } from '../../storage/index.ts';
import { withdrawReportsOf } from '../signatures/reports.ts';
import { agentRevocationEnded, revocationTransaction, revokeTokensOfAgent } from '../tokens/service.ts';
import {
  actorOf,
  assertMayManage,
  ChangedMeanwhileError,
  holdAgentAndCredential,
  holdOwnerAndCredential,
  rotationStatement,
  signedRequestOf,
} from './auth.ts';
import {
  announceManagementTokensDropped,
  checkKeyProof,
  forgetManagementTokens,
  replaceManagementToken,
} from './credentials.ts';
import type { KeyProof } from './credentials.ts';
import { DID_PREFIX, didOf, idFromDid, newId, newSecret, SECRET_PREFIX } from './ids.ts';
import { agentPublicUrl, assertAgentActive, lookupAgentRow, verifyAgentSignature } from './service.ts';
import { assertSlug, assertTakeableSlug } from './slug.ts';
import * as store from './store.ts';
import type { AgentRow, Db } from './store.ts';
import { manifestSigningKey, manifestStatement, signStatement } from './tool-manifest.ts';
import { agentIdParams, answers, idFor, secretSchema, signedAtSchema } from './schemas.ts';

/** How long a linking key stays usable. */
export const LINKING_KEY_TTL_MS = 7 * 24 * 3600_000;

/** Agents on one page of `GET /api/v1/owners/me`, by default and at most. */
const OWNER_AGENTS_PAGE = 1000;

const HANDLE = '^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$';

function revokedBy(p: Principal): 'admin' | 'owner' | 'agent' {
  return p.caller === 'admin' ? 'admin' : p.caller === 'owner' ? 'owner' : 'agent';
}

/** The agent named in the path, which the caller must be allowed to manage, and which must not be revoked. */
async function managedAgent(ctx: AppContext, req: FastifyRequest, ref: string): Promise<AgentRow> {
  const row = await lookupAgentRow(ctx.storage.db, ref);
  if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
  assertMayManage(req.principal, row);
  return row;
}

/** 409 `SLUG_CONFUSABLE`, naming neither the look-alike nor its holder. */
function slugConfusable(): ApiError {
  return new ApiError('SLUG_CONFUSABLE', 'This slug looks like one another agent holds. Choose another.');
}

function linkingKeyError(reason: 'unknown' | 'used' | 'expired'): ApiError {
  return reason === 'used'
    ? new ApiError('TOKEN_USED', 'This linking key has already been used.')
    : new ApiError('TOKEN_INVALID', 'This linking key is unknown or has expired.');
}

/**
 * Creates the agent row (and its claim token, or consumes its linking key) inside `trx`. Shared by both
 * registration routes. Throws `KEY_ALREADY_REGISTERED`, `SLUG_TAKEN`, `SLUG_CONFUSABLE`, `TOKEN_INVALID` or `TOKEN_USED`. A registration
 * is not audited, but the link a linking key makes is (`agent.link`, by the new agent, on request `requestId`).
 */
export async function createAgent(
  trx: Db,
  row: Omit<AgentRow, 'status' | 'owner_id' | 'claimed_at' | 'slug_skeleton'>,
  linkingKey: string | undefined,
  requestId: string,
): Promise<{ claimToken?: string; ownerId: string | null }> {
  const now = row.created_at;
  let ownerId: string | null = null;
  const linkHash = linkingKey === undefined ? undefined : hashSecret(linkingKey);
  if (linkHash !== undefined) {
    if (!linkingKey!.startsWith(SECRET_PREFIX.linkingKey)) throw linkingKeyError('unknown');
    const usable = await store.linkingKeyUsable(trx, linkHash, now);
    if (!usable.ok) throw linkingKeyError(usable.reason);
    ownerId = usable.ownerId;
  }
  const inserted = await store.insertAgent(trx, {
    ...row,
    status: ownerId === null ? 'unclaimed' : 'claimed',
    owner_id: ownerId,
    claimed_at: ownerId === null ? null : now,
  });
  if (inserted === 'key_taken') {
    throw new ApiError('KEY_ALREADY_REGISTERED', 'This public key is already registered to an agent.');
  }
  if (inserted === 'slug_taken') throw new ApiError('SLUG_TAKEN', 'This slug is already taken.');
  if (inserted === 'slug_confusable') throw slugConfusable();
  if (linkHash !== undefined) {
    const used = await store.consumeLinkingKey(trx, linkHash, row.id, now);
    if (!used.ok) throw linkingKeyError(used.reason);
    await recordAudit(trx, {
      at: now,
      actor: `agent:${didOf(row.id)}`,
      action: 'agent.link',
      target: didOf(row.id),
      // Not the linking key, nor its hash: the owner it links to says whose key it was.
      details: { ownerId },
      requestId,
    });
    return { ownerId };
  }
  const claimToken = newSecret(SECRET_PREFIX.claimToken);
  await store.insertClaimToken(trx, hashSecret(claimToken), row.id, now);
  return { claimToken, ownerId: null };
}

/**
 * Re-signs an agent's tool manifest after its slug changed (the signed statement names the slug), dated `now`: the
 * manifest served changed, so its `updated_at` moves with it, and a consumer caching by it sees the change.
 */
async function resignManifest(
  trx: Db,
  key: Awaited<ReturnType<typeof manifestSigningKey>> | undefined,
  agentId: string,
  slug: string | null,
  now: number,
): Promise<void> {
  const m = await store.findToolManifest(trx, agentId);
  if (m === undefined) return;
  // The key is loaded before the transaction when the agent had a manifest; one set meanwhile means try again.
  if (key === undefined) throw new ChangedMeanwhileError("The agent's tool manifest changed meanwhile; try again.");
  const signature = await signStatement(key.privateKey, manifestStatement(didOf(agentId), slug, m.manifest_hash, now));
  await store.upsertToolManifest(trx, { ...m, signature, signature_kid: key.kid, updated_at: now });
}

/** Records `agent.set_slug` for a slug taken, changed (`from` and `to`) or released (`to: null`). */
async function auditSlug(
  trx: Db,
  req: FastifyRequest,
  agentId: string,
  from: string | null,
  to: string | null,
  now: number,
): Promise<void> {
  await recordAudit(trx, {
    at: now,
    actor: actorOf(req.principal!),
    action: 'agent.set_slug',
    target: didOf(agentId),
    details: { by: req.principal!.caller, from, to },
    requestId: req.id,
  });
}

export function registerIdentityAppRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.post(
    '/api/v1/agents/register',
    {
      // The proof of work is the cost of a registration; the per-address default limit still applies.
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: 'Register an agent identity with an Ed25519 key and a proof of work (identity.app).',
        tags: ['agents'],
        response: answers(201, 'The registered agent: its DID, and its claim token (shown once) unless linked.', 409),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['publicKey', 'powNonce'],
          properties: {
            publicKey: { type: 'string', minLength: 1, maxLength: 2048 },
            powNonce: { type: 'string', minLength: 1, maxLength: 20 },
            label: { type: 'string', minLength: 1, maxLength: 200, pattern: DISPLAY_TEXT },
            linkingKey: secretSchema,
            keyProof: {
              type: 'object',
              additionalProperties: false,
              required: ['signedAt', 'signature'],
              properties: { signedAt: signedAtSchema, signature: { type: 'string', minLength: 1, maxLength: 200 } },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const body = req.body as {
        publicKey: string;
        powNonce: string;
        label?: string;
        linkingKey?: string;
        keyProof?: KeyProof;
      };
      const key = parsePublicKey(body.publicKey, { type: 'Ed25519' });
      if (!checkPow(body.publicKey, body.powNonce, ctx.config.powDifficulty)) {
        throw new ApiError(
          'POW_INVALID',
          `sha256hex(publicKey + powNonce) must start with ${ctx.config.powDifficulty} zeros.`,
        );
      }
      const publicKey = formatPublicKey(key, 'base64');
      const proven = await checkKeyProof(ctx, publicKey, body.keyProof, 'body.keyProof');
      const now = ctx.clock.now();
      const id = newId();
      const created = await db.transaction().execute((trx) =>
        createAgent(
          trx,
          {
            id,
            slug: null,
            name: body.label ?? null,
            description: null,
            public_key: publicKey,
            key_proven_at: proven ? now : null,
            code_hash: null,
            model_id: null,
            verified_domain: null,
            registered_via: 'pow',
            created_at: now,
            updated_at: now,
            revoked_at: null,
            revoked_by: null,
            revocation_reason: null,
          },
          body.linkingKey,
          req.id,
        ),
      );
      void reply.code(201);
      return created.claimToken === undefined
        ? { did: didOf(id), linked: true }
        : { did: didOf(id), claimToken: created.claimToken, linked: false };
    },
  );

  app.post(
    '/api/v1/agents/claim',
    {
      config: { policy: { caller: 'owner', rateLimit: 'default' } },
      schema: {
        summary: "Claim an agent with its one-time claim token, linking it to the caller's owner account.",
        tags: ['agents'],
        response: answers(200, 'The claimed agent: `{did, ownerId, status, linked}`.', 403, 409),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['claimToken'],
          properties: { claimToken: secretSchema },
        },
      },
    },
    async (req) => {
      const { claimToken } = req.body as { claimToken: string };
      const ownerId = req.principal!.id;
      // The registrant's management token stays live: it is the agent's operator's, whom the owner now answers for.
      // The owner cuts it off, if it must, with POST /api/v1/agents/:id/rotate-management-token.
      const now = ctx.clock.now();
      const agent = await db.transaction().execute(async (trx) => {
        if (!claimToken.startsWith(SECRET_PREFIX.claimToken)) {
          throw new ApiError('TOKEN_INVALID', 'This claim token is unknown.');
        }
        // An owner key rotated since the request was authenticated claims nothing.
        await holdOwnerAndCredential(trx, ctx.storage.engine, req, ownerId, now);
        const tokenHash = hashSecret(claimToken);
        const unknown = () => new ApiError('TOKEN_INVALID', 'This claim token is unknown.');
        const found = await store.findClaimToken(trx, tokenHash);
        if (found === undefined) throw unknown();
        // The agent's row first (locked on PostgreSQL), then its claim token, the order of a key rotation (which
        // replaces an unused claim token): a revocation or rotation committed meanwhile is seen here.
        const row = await store.lockAgent(trx, ctx.storage.engine, found.agent_id);
        if (row === undefined) throw new ApiError('NOT_FOUND', 'The agent of this claim token no longer exists.');
        const used = await store.consumeClaimToken(trx, tokenHash, ownerId, now);
        if (!used.ok) {
          throw used.reason === 'used'
            ? new ApiError('TOKEN_USED', 'This claim token has already been used.')
            : unknown();
        }
        assertAgentActive(row);
        if (!(await store.linkAgentToOwner(trx, row.id, ownerId, now))) {
          throw new ApiError('CONFLICT', 'This agent is already claimed.');
        }
        await recordAudit(trx, {
          at: now,
          actor: actorOf(req.principal!),
          action: 'agent.claim',
          target: didOf(row.id),
          details: { by: 'owner' },
          requestId: req.id,
        });
        return row;
      });
      return { did: didOf(agent.id), ownerId, status: 'claimed', linked: true };
    },
  );

  app.post(
    '/api/v1/owners',
    {
      config: { policy: { caller: 'admin', rateLimit: 'default' } },
      schema: {
        summary: 'Create an owner (a person or organization behind agents); its API key is shown once.',
        tags: ['owners'],
        response: answers(201, 'The new owner and its API key, shown once.', 409),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'handle'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200, pattern: DISPLAY_TEXT },
            handle: { type: 'string', minLength: 1, maxLength: 40, pattern: HANDLE },
          },
        },
      },
    },
    async (req, reply) => {
      const { name, handle } = req.body as { name: string; handle: string };
      const now = ctx.clock.now();
      const ownerId = newId();
      const apiKey = newSecret(SECRET_PREFIX.ownerApiKey);
      await db.transaction().execute(async (trx) => {
        if (!(await store.insertOwner(trx, { id: ownerId, name, handle, created_at: now }))) {
          throw new ApiError('HANDLE_TAKEN', 'An owner with this handle already exists.');
        }
        await store.insertOwnerApiKey(trx, ownerId, hashSecret(apiKey), now);
        await recordAudit(trx, {
          at: now,
          actor: actorOf(req.principal!),
          action: 'owner.create',
          target: ownerId,
          details: { handle },
          requestId: req.id,
        });
      });
      void reply.code(201);
      return { ownerId, name, handle, apiKey };
    },
  );

  app.get(
    '/api/v1/owners/me',
    {
      config: { policy: { caller: 'owner', rateLimit: 'default' } },
      schema: {
        summary:
          'The calling owner and its agents, a page at a time (oldest first): `limit` (default and at most 1000), ' +
          '`after` = the `next` DID of the previous page; `next` is null on the last page.',
        tags: ['owners'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'string', pattern: `^${DID_PREFIX}[a-z2-7]{25}[aeimquy4]$` },
            // The default is the size of the unpaged answer this route gave before it paged.
            limit: { type: 'integer', minimum: 1, maximum: OWNER_AGENTS_PAGE, default: OWNER_AGENTS_PAGE },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { after?: string; limit: number };
      const owner = await store.findOwner(db, req.principal!.id);
      if (owner === undefined) throw new ApiError('NOT_FOUND', 'This owner no longer exists.');
      // One row more than the page says whether another page follows, so the last page says so itself.
      // The schema's pattern is a DID's; were it ever looser, an id no agent has yields an empty page, not the first.
      const after = q.after === undefined ? undefined : (idFromDid(q.after) ?? '');
      const rows = await store.listOwnerAgents(db, owner.id, q.limit + 1, after);
      const agents = rows.slice(0, q.limit);
      return {
        ownerId: owner.id,
        name: owner.name,
        handle: owner.handle,
        agents: agents.map((a) => ({ did: didOf(a.id), slug: a.slug, name: a.name, status: a.status })),
        next: rows.length > q.limit ? didOf(agents.at(-1)!.id) : null,
      };
    },
  );

  app.post(
    '/api/v1/owners/linking-keys',
    {
      config: { policy: { caller: 'owner', rateLimit: { max: 60, windowMs: 60_000 } } },
      schema: {
        summary: 'Create a single-use linking key: an agent registered with it is linked to the caller at once.',
        tags: ['owners'],
        response: answers(201, 'The new linking key, shown once: `{linkingKey, ownerId, expiresAt}`.'),
      },
    },
    async (req, reply) => {
      const now = ctx.clock.now();
      const linkingKey = newSecret(SECRET_PREFIX.linkingKey);
      const expiresAt = now + LINKING_KEY_TTL_MS;
      await db.transaction().execute(async (trx) => {
        // An owner key rotated since the request was authenticated must not leave a key usable for 7 days.
        await holdOwnerAndCredential(trx, ctx.storage.engine, req, req.principal!.id, now);
        await store.insertLinkingKey(trx, hashSecret(linkingKey), req.principal!.id, now, expiresAt);
        await recordAudit(trx, {
          at: now,
          actor: actorOf(req.principal!),
          action: 'owner.mint_linking_key',
          target: req.principal!.id,
          // Never the key nor its hash (linking keys have no public id to name instead).
          details: { by: 'owner', expiresAt },
          requestId: req.id,
        });
      });
      void reply.code(201);
      return { linkingKey, ownerId: req.principal!.id, expiresAt };
    },
  );

  const manage = ['agent-signature', 'management-token', 'owner', 'admin'] as const;

  app.put(
    '/api/v1/agents/:id/slug',
    {
      config: { policy: { caller: manage, rateLimit: 'default' } },
      schema: {
        summary: "Take a slug for an agent, or change it (the agent's signature, management token, owner, or admin).",
        tags: ['agents'],
        response: answers(200, 'The agent and its slug: `{did, slug, public_url}`.', 403, 409),
        params: agentIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['slug'],
          properties: { slug: { type: 'string', minLength: 1, maxLength: 100 } },
        },
      },
    },
    async (req) => {
      const { slug } = req.body as { slug: string };
      const row = await managedAgent(ctx, req, idFor(req));
      assertAgentActive(row);
      assertSlug(slug, 'body.slug');
      const key = (await store.findToolManifest(db, row.id)) === undefined ? undefined : await manifestSigningKey(ctx);
      const now = ctx.clock.now();
      await db.transaction().execute(async (trx) => {
        const current = await holdAgentAndCredential(trx, ctx.storage.engine, req, row.id, now);
        if (current === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
        assertAgentActive(current);
        // Against the slug held now, under the lock: an agent keeps a reserved slug only while it holds it.
        assertTakeableSlug(slug, 'body.slug', current.slug);
        const set = await store.setSlug(trx, row.id, slug, now);
        if (set === 'taken') throw new ApiError('SLUG_TAKEN', 'This slug is already taken.');
        if (set === 'confusable') throw slugConfusable();
        if (current.slug !== slug) {
          await resignManifest(trx, key, row.id, slug, now);
          await auditSlug(trx, req, row.id, current.slug, slug, now);
        }
      });
      return { did: didOf(row.id), slug, public_url: agentPublicUrl(ctx, { id: row.id, slug }) };
    },
  );

  app.delete(
    '/api/v1/agents/:id/slug',
    {
      config: { policy: { caller: manage, rateLimit: 'default' } },
      schema: {
        summary: "Release an agent's slug, so that another agent may take it.",
        tags: ['agents'],
        response: answers(200, 'The agent and the slug it released: `{did, slug: null, released}`.', 403, 409),
        params: agentIdParams,
      },
    },
    async (req) => {
      const row = await managedAgent(ctx, req, idFor(req));
      assertAgentActive(row);
      const key = (await store.findToolManifest(db, row.id)) === undefined ? undefined : await manifestSigningKey(ctx);
      const now = ctx.clock.now();
      const released = await db.transaction().execute(async (trx) => {
        const current = await holdAgentAndCredential(trx, ctx.storage.engine, req, row.id, now);
        if (current === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
        assertAgentActive(current);
        await store.setSlug(trx, row.id, null, now);
        if (current.slug !== null) {
          await resignManifest(trx, key, row.id, null, now);
          await auditSlug(trx, req, row.id, current.slug, null, now);
        }
        return current.slug;
      });
      return { did: didOf(row.id), slug: null, released };
    },
  );

  app.post(
    '/api/v1/agents/:id/revoke',
    {
      config: { policy: { caller: manage, rateLimit: 'default' } },
      schema: {
        summary: 'Revoke an agent for good (its own signature, its management token, its owner, or the admin).',
        tags: ['agents'],
        response: answers(200, '`{did, status, revokedAt}`.', 403, 409),
        params: agentIdParams,
        body: {
          type: ['object', 'null'], // the body is optional
          additionalProperties: false,
          properties: { reason: { type: 'string', minLength: 1, maxLength: 500, pattern: DISPLAY_TEXT } },
        },
      },
    },
    async (req) => {
      const reason = (req.body as { reason?: string } | null | undefined)?.reason ?? null;
      const row = await managedAgent(ctx, req, idFor(req));
      const principal = req.principal!;
      const now = ctx.clock.now();
      // Revoking its tokens takes revocation numbers: a rollback must not leave this process's verify cache waiting.
      const revokedAt = await revocationTransaction(db, async (trx) => {
        await holdAgentAndCredential(trx, ctx.storage.engine, req, row.id, now);
        if (!(await store.revokeAgent(trx, row.id, revokedBy(principal), reason, now))) {
          return (await store.findAgentById(trx, row.id))?.revoked_at ?? now; // already revoked: nothing changes
        }
        // Its live tokens are revoked in the same transaction, so offline verifiers learn it from the list.
        await revokeTokensOfAgent(ctx, trx, didOf(row.id), {
          at: now,
          actor: actorOf(principal),
          reason: reason ?? 'agent revoked',
        });
        // Its reports stop counting with it: a Sybil's penalties go when the Sybil does.
        await withdrawReportsOf(ctx, trx, row.id, now);
        // Its management tokens lose its rate-limit bucket in every other process as this commits.
        await announceManagementTokensDropped(ctx, trx, row.id);
        await recordAudit(trx, {
          at: now,
          actor: actorOf(principal),
          action: 'agent.revoke',
          target: didOf(row.id),
          details: { by: principal.caller, ...(reason === null ? {} : { reason }) },
          requestId: req.id,
        });
        return now;
      });
      // A verification that read the agent while that transaction was open does not keep it as active here.
      agentRevocationEnded();
      // Its management tokens still authenticate (and are refused AGENT_REVOKED), but lose its rate-limit bucket.
      forgetManagementTokens(ctx, row.id);
      return { did: didOf(row.id), status: 'revoked', revokedAt };
    },
  );

  app.post(
    '/api/v1/agents/:id/rotate-key',
    {
      config: { policy: { caller: 'agent-signature', rateLimit: 'default' } },
      schema: {
        summary: "Rotate an agent's key: the request is signed by the old key, the statement by the new one.",
        tags: ['agents'],
        response: answers(
          200,
          '`{did, publicKey, rotatedAt, tokensRevoked?, managementToken?, claimToken?}`.',
          403,
          409,
        ),
        params: agentIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['newPublicKey', 'newKeySignature'],
          properties: {
            newPublicKey: { type: 'string', minLength: 1, maxLength: 2048 },
            newKeySignature: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (req) => {
      const body = req.body as { newPublicKey: string; newKeySignature: string };
      const row = await managedAgent(ctx, req, idFor(req));
      assertAgentActive(row);
      const signed = signedRequestOf(req)!;
      // The key the request was signed with, not the row's: a rotation committed since the signature was checked
      // is then refused as every change is (401, holdAgentAndCredential), not as a bad new-key signature.
      const oldKey = signed.publicKey;
      const newKey = formatPublicKey(parsePublicKey(body.newPublicKey, { type: 'Ed25519' }), 'base64');
      if (newKey === oldKey) {
        throw new ApiError('KEY_ALREADY_REGISTERED', "The new key is the agent's current key.");
      }
      const statement = rotationStatement(didOf(row.id), oldKey, newKey, signed.signedAt);
      if (!(await verifyAgentSignature({ publicKey: newKey }, statement, body.newKeySignature))) {
        throw new ApiError(
          'SIGNATURE_INVALID',
          "body.newKeySignature is not the new key's signature of the rotation statement.",
        );
      }
      const now = ctx.clock.now();
      // Revoking its tokens takes revocation numbers: a rollback must not leave this process's verify cache waiting.
      const { managementToken, tokensRevoked, claimToken } = await revocationTransaction(db, async (trx) => {
        // The agent's row first, as every other change signed by the agent takes it: consuming the signature first
        // (which prunes the agent's used requests) let a rotation and such a change each wait for the other.
        const current = await holdAgentAndCredential(trx, ctx.storage.engine, req, row.id, now);
        if (current === undefined) throw new ApiError('NOT_FOUND', 'No agent has this DID, id or slug.');
        assertAgentActive(current);
        const result = await store.rotateAgentKey(trx, row.id, oldKey, newKey, now);
        if (result === 'key_taken') {
          throw new ApiError('KEY_ALREADY_REGISTERED', 'This public key is already registered to an agent.');
        }
        if (result === 'stale') throw new ApiError('CONFLICT', "The agent's key changed meanwhile; sign again.");
        // A rotation is the recovery from a compromised host, where the management token sits next to the key: the
        // agent's live tokens are revoked with the key (its row is locked by the update above), and a fresh one is
        // answered if it had any.
        const replaced = await replaceManagementToken(ctx, trx, row.id, now, false);
        // So is an unused claim token, kept with the key (the CLI's identity file): whoever claims with it becomes
        // the agent's owner, and could then revoke it or take its management token. A fresh one is answered.
        const freshClaim = newSecret(SECRET_PREFIX.claimToken);
        const claimReplaced = await store.replaceUnusedClaimToken(trx, row.id, hashSecret(freshClaim), now);
        // So are its AIP tokens, whoever issued them: a thief with the key mints them by the agent's proof, and
        // those issued by the owner or the admin are bearer tokens kept on the same host. Offline verifiers learn it
        // from the revocation list.
        const revokedTokens = await revokeTokensOfAgent(ctx, trx, didOf(row.id), {
          at: now,
          actor: actorOf(req.principal!),
          reason: 'agent key rotated',
        });
        await recordAudit(trx, {
          at: now,
          actor: actorOf(req.principal!),
          action: 'agent.rotate_key',
          target: didOf(row.id),
          details: {
            from: oldKey,
            to: newKey,
            ...(replaced.revoked === 0 ? {} : { managementTokensRevoked: replaced.revoked }),
            ...(revokedTokens.length === 0 ? {} : { tokensRevoked: revokedTokens.length }),
            ...(claimReplaced ? { claimTokenReplaced: true } : {}),
          },
          requestId: req.id,
        });
        return {
          managementToken: replaced.token,
          tokensRevoked: revokedTokens.length,
          claimToken: claimReplaced ? freshClaim : undefined,
        };
      });
      if (managementToken !== undefined) forgetManagementTokens(ctx, row.id, managementToken);
      return {
        did: didOf(row.id),
        publicKey: newKey,
        rotatedAt: now,
        // Like managementToken, present only when the rotation did something to report.
        ...(tokensRevoked === 0 ? {} : { tokensRevoked }),
        ...(managementToken === undefined ? {} : { managementToken }),
        ...(claimToken === undefined ? {} : { claimToken }),
      };
    },
  );
}
