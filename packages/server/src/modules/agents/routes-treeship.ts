// Treeship's side (seed 003): slug registration with a management token, profiles, tool manifests, voice
// fingerprints. Every `{slug}` in these paths also accepts the agent's DID or internal id.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatPublicKey, parsePublicKey } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { DISPLAY_TEXT, DISPLAY_TEXT_LINES } from '../../http/text-patterns.ts';
import { recordAudit } from '../../storage/index.ts';
import { actorOf, assertMayManage, holdAgentAndCredential } from './auth.ts';
import { checkKeyProof, issueManagementToken } from './credentials.ts';
import { MAX_DOMAIN_INPUT_LENGTH, normalizeDomain } from './domain/index.ts';
import { didOf, newId } from './ids.ts';
import { loadProfile, profileJson } from './profile.ts';
import { createAgent } from './routes-identity-app.ts';
import { agentSlugParams, answers, idFor, secretSchema, sha256HexPattern, signedAtSchema } from './schemas.ts';
import { identityScore } from './score.ts';
import {
  agentPublicUrl,
  assertAgentActive,
  keyProven,
  lookupAgentRow,
  lookupAgentWithToolManifest,
  parseAgentRef,
  scoreOfProfile,
} from './service.ts';
import { assertTakeableSlug } from './slug.ts';
import * as store from './store.ts';
import type { AgentRow, Db, ToolManifestRow } from './store.ts';
import {
  assertManifestSize,
  manifestHash,
  manifestSigningKey,
  manifestStatement,
  normalizeManifest,
  signStatement,
  storedTools,
} from './tool-manifest.ts';
import { fingerprintDigest, safeForPayment, voiceMatches } from './voice.ts';

/**
 * Builds `verification_challenges` for a domain given at registration, inside the registration's transaction
 * (wired to domain verification in index.ts).
 */
export type DomainChallengeFactory = (
  agent: { id: string; did: string; slug: string | null; status: AgentRow['status'] },
  domain: string,
  trx: Db,
) => Promise<Record<string, string>>;

const TOOL_NAME = '^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,127}$';
const MAX_TOOLS = 500;

// The tools used are echoed back in `authorized_tools` and `unauthorized_tools`, which an operator's console or log
// shows: no control or invisible characters (a name outside TOOL_NAME is otherwise simply unauthorized).
const toolsUsedSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_TOOLS,
  items: { type: 'string', minLength: 1, maxLength: 128, pattern: DISPLAY_TEXT },
} as const;

async function agentOr404(ctx: AppContext, req: FastifyRequest): Promise<AgentRow> {
  const row = await lookupAgentRow(ctx.storage.db, idFor(req));
  if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
  return row;
}

/** The agent the request names and its tool manifest, read together (404 for either missing). */
async function agentWithManifestOr404(
  ctx: AppContext,
  req: FastifyRequest,
): Promise<{ agent: AgentRow; manifest: ToolManifestRow }> {
  const found = await lookupAgentWithToolManifest(ctx.storage.db, idFor(req));
  if (found === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
  if (found.manifest === undefined) throw new ApiError('NOT_FOUND', 'This agent has no tool manifest.');
  return { agent: found.agent, manifest: found.manifest };
}

/**
 * A manifest answer: the signed manifest, then the agent's status as it stands now (not signed: the signature says what
 * the server signed when, not whether the agent is still in good standing). A revoked agent's also carries
 * `code: "AGENT_REVOKED"` and `error`, as verify-tools answers it.
 */
function manifestJson(row: AgentRow, m: ToolManifestRow): Record<string, unknown> {
  const revoked = row.status === 'revoked';
  return {
    agent_slug: row.slug,
    did: didOf(row.id),
    tool_manifest_hash: m.manifest_hash,
    tools: JSON.parse(m.tools) as string[],
    tool_descriptions: JSON.parse(m.tool_descriptions) as Record<string, string>,
    signature: m.signature,
    signature_alg: 'EdDSA',
    signature_kid: m.signature_kid,
    updated_at: new Date(m.updated_at).toISOString(),
    agent_status: row.status,
    revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
    ...(revoked ? { error: 'This agent has been revoked.', code: 'AGENT_REVOKED' } : {}),
  };
}

export function registerTreeshipRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  domainChallenges: DomainChallengeFactory | undefined,
): void {
  const db = ctx.storage.db;
  const manage = ['management-token', 'agent-signature', 'owner', 'admin'] as const;

  app.post(
    '/v1/identity/register',
    {
      // No proof of work here, so registrations are limited per client address (VOUCH_SLUG_REGISTER_RATE_*).
      config: { policy: { caller: 'public', rateLimit: ctx.config.slugRegisterRateLimit } },
      schema: {
        summary: 'Register an agent under a slug (Treeship); returns its management token once.',
        tags: ['identity'],
        response: answers(201, 'The registered agent and its management token, shown once.', 409),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['slug'],
          properties: {
            slug: { type: 'string', minLength: 1, maxLength: 100 },
            name: { type: 'string', minLength: 1, maxLength: 200, pattern: DISPLAY_TEXT },
            description: { type: 'string', minLength: 1, maxLength: 2000, pattern: DISPLAY_TEXT_LINES },
            public_key_pem: { type: 'string', minLength: 1, maxLength: 2048 },
            code_hash: { type: 'string', pattern: sha256HexPattern },
            model_id: { type: 'string', minLength: 1, maxLength: 200, pattern: DISPLAY_TEXT },
            // Any spelling domain-challenge takes (a trailing dot makes 254): normalizeDomain bounds the name.
            domain: { type: 'string', minLength: 1, maxLength: MAX_DOMAIN_INPUT_LENGTH },
            linking_key: secretSchema,
            key_proof: {
              type: 'object',
              additionalProperties: false,
              required: ['signed_at', 'signature'],
              properties: { signed_at: signedAtSchema, signature: { type: 'string', minLength: 1, maxLength: 200 } },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const body = req.body as {
        slug: string;
        name?: string;
        description?: string;
        public_key_pem?: string;
        code_hash?: string;
        model_id?: string;
        domain?: string;
        linking_key?: string;
        key_proof?: { signed_at: number; signature: string };
      };
      assertTakeableSlug(body.slug, 'body.slug');
      const publicKey =
        body.public_key_pem === undefined
          ? null
          : formatPublicKey(parsePublicKey(body.public_key_pem, { type: 'Ed25519' }), 'base64');
      if (publicKey === null && body.key_proof !== undefined) {
        throw new ApiError('VALIDATION_FAILED', 'body.key_proof needs body.public_key_pem, the key it proves.', {
          field: 'body.key_proof',
        });
      }
      const proof = body.key_proof && { signedAt: body.key_proof.signed_at, signature: body.key_proof.signature };
      const proven = publicKey !== null && (await checkKeyProof(ctx, publicKey, proof, 'body.key_proof'));
      const domain = body.domain === undefined ? undefined : normalizeDomain(body.domain, 'body.domain');
      const now = ctx.clock.now();
      const id = newId();
      const { created, managementToken, verificationChallenges } = await db.transaction().execute(async (trx) => {
        const result = await createAgent(
          trx,
          {
            id,
            slug: body.slug,
            name: body.name ?? null,
            description: body.description ?? null,
            public_key: publicKey,
            key_proven_at: proven ? now : null,
            code_hash: body.code_hash?.toLowerCase() ?? null,
            model_id: body.model_id ?? null,
            verified_domain: null,
            registered_via: 'slug',
            created_at: now,
            updated_at: now,
            revoked_at: null,
            revoked_by: null,
            revocation_reason: null,
          },
          body.linking_key,
          req.id,
        );
        const token = await issueManagementToken(trx, id, now);
        const agentRef = {
          id,
          did: didOf(id),
          slug: body.slug,
          status: result.ownerId === null ? 'unclaimed' : 'claimed',
        } as const;
        const challenges =
          domain !== undefined && domainChallenges !== undefined ? await domainChallenges(agentRef, domain, trx) : {};
        return { created: result, managementToken: token, verificationChallenges: challenges };
      });
      const score = identityScore({
        publicKey: publicKey !== null,
        codeHash: body.code_hash !== undefined,
        modelId: body.model_id !== undefined,
        verifiedDomain: false,
        toolManifest: false,
        claimed: created.ownerId !== null,
        voiceFingerprint: false,
      });
      void reply.code(201);
      return {
        slug: body.slug,
        did: didOf(id),
        registered: true,
        identity_score: score.score,
        verification_challenges: verificationChallenges,
        public_url: agentPublicUrl(ctx, { id, slug: body.slug }),
        management_token: managementToken,
        linked: created.ownerId !== null,
        ...(created.claimToken === undefined ? {} : { claim_token: created.claimToken }),
      };
    },
  );

  app.get(
    '/v1/identity/:slug',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary:
          "An agent's identity: score, verified proofs, code hash, model, domain, tools (Treeship), plus its DID.",
        tags: ['identity'],
        params: agentSlugParams,
      },
    },
    async (req) => {
      const profile = await loadProfile(ctx, idFor(req));
      if (profile === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
      return profileJson(ctx, profile);
    },
  );

  app.post(
    '/v1/identity/:slug/tools',
    {
      config: { policy: { caller: manage, rateLimit: 'default' } },
      schema: {
        summary: "Set an agent's tool manifest; the server signs its hash with its tool-manifest key.",
        tags: ['identity'],
        params: agentSlugParams,
        response: answers(200, 'The signed tool manifest.', 403, 409),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['tools'],
          properties: {
            tools: { type: 'array', maxItems: MAX_TOOLS, items: { type: 'string', pattern: TOOL_NAME } },
            tool_descriptions: {
              type: 'object',
              maxProperties: MAX_TOOLS,
              propertyNames: { pattern: TOOL_NAME },
              // Shown under the agent's name like its description: no control or invisible characters.
              additionalProperties: { type: 'string', maxLength: 1000, pattern: DISPLAY_TEXT_LINES },
            },
          },
        },
      },
    },
    async (req) => {
      const body = req.body as { tools: string[]; tool_descriptions?: Record<string, string> };
      const row = await agentOr404(ctx, req);
      assertMayManage(req.principal, row);
      assertAgentActive(row);
      const manifest = normalizeManifest(body.tools, body.tool_descriptions);
      assertManifestSize(manifest);
      const hash = manifestHash(manifest);
      const key = await manifestSigningKey(ctx);
      const now = ctx.clock.now();
      const saved = await db.transaction().execute(async (trx) => {
        // The statement names the slug: read it (locked on PostgreSQL) in the transaction that stores the signature.
        const current = await holdAgentAndCredential(trx, ctx.storage.engine, req, row.id, now);
        if (current === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
        assertAgentActive(current);
        const before = await store.findToolManifest(trx, row.id);
        const signature = await signStatement(
          key.privateKey,
          manifestStatement(didOf(row.id), current.slug, hash, now),
        );
        const m: ToolManifestRow = {
          agent_id: row.id,
          tools: JSON.stringify(manifest.tools),
          tool_descriptions: JSON.stringify(manifest.tool_descriptions),
          manifest_hash: hash,
          signature,
          signature_kid: key.kid,
          updated_at: now,
        };
        await store.upsertToolManifest(trx, m);
        // Audited when the manifest changed (a tool or a description); signing the same one again is not a change.
        if (before?.manifest_hash !== hash) {
          // The profile shows the manifest's tools and hash, and scores them: its updated_at moves with them.
          await store.touchAgent(trx, row.id, now);
          const had = new Set(storedTools(before?.tools ?? null));
          const added = manifest.tools.filter((t) => !had.has(t)).length;
          await recordAudit(trx, {
            at: now,
            actor: actorOf(req.principal!),
            action: 'agent.set_tools',
            target: didOf(row.id),
            // Counts, not names: 500 names would not fit an entry, and the manifest itself is public.
            details: {
              by: req.principal!.caller,
              from: before?.manifest_hash ?? null,
              to: hash,
              tools: manifest.tools.length,
              added,
              removed: had.size - (manifest.tools.length - added),
            },
            requestId: req.id,
          });
        }
        return { current, m };
      });
      return manifestJson(saved.current, saved.m);
    },
  );

  app.get(
    '/v1/identity/:slug/tools',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: "An agent's signed tool manifest, with the agent's status (a revoked one's with code AGENT_REVOKED).",
        tags: ['identity'],
        params: agentSlugParams,
      },
    },
    async (req) => {
      const { agent: row, manifest: m } = await agentWithManifestOr404(ctx, req);
      return manifestJson(row, m);
    },
  );

  app.post(
    '/v1/identity/:slug/verify-tools',
    {
      config: { policy: { caller: 'public', rateLimit: 'default' } },
      schema: {
        summary: "Check tools used against the agent's manifest: `tools_used` as repeated query parameters or JSON.",
        tags: ['identity'],
        params: agentSlugParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { tools_used: toolsUsedSchema },
        },
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { tools_used: toolsUsedSchema },
        },
      },
    },
    async (req) => {
      const fromQuery = (req.query as { tools_used?: string[] }).tools_used ?? [];
      const fromBody = (req.body as { tools_used?: string[] } | null | undefined)?.tools_used ?? [];
      const used = [...new Set([...fromQuery, ...fromBody])];
      if (used.length === 0) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'body.tools_used is required, or tools_used as query parameters (at least one tool).',
          { field: 'body.tools_used' },
        );
      }
      const { agent: row, manifest: m } = await agentWithManifestOr404(ctx, req);
      const allowed = new Set(JSON.parse(m.tools) as string[]);
      const authorized = used.filter((t) => allowed.has(t));
      const unauthorized = used.filter((t) => !allowed.has(t));
      const revoked = row.status === 'revoked';
      return {
        verified: unauthorized.length === 0 && !revoked,
        authorized_tools: authorized,
        unauthorized_tools: unauthorized,
        manifest_hash: m.manifest_hash,
        ...(revoked ? { error: 'This agent has been revoked.', code: 'AGENT_REVOKED' } : {}),
      };
    },
  );

  app.post(
    '/v1/identity/:slug/voice-fingerprint',
    {
      config: { policy: { caller: manage, rateLimit: 'default' } },
      schema: {
        summary: "Register an agent's voice fingerprint hash (stored only as its SHA-256; never returned).",
        tags: ['identity'],
        params: agentSlugParams,
        response: answers(200, '`{registered, agent_slug, did, provider, sample_count}`.', 403, 409),
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['fingerprint_hash', 'provider', 'sample_count'],
          properties: {
            fingerprint_hash: { type: 'string', pattern: sha256HexPattern },
            provider: { type: 'string', minLength: 1, maxLength: 64, pattern: DISPLAY_TEXT },
            sample_count: { type: 'integer', minimum: 1, maximum: 100_000 },
          },
        },
      },
    },
    async (req) => {
      const body = req.body as { fingerprint_hash: string; provider: string; sample_count: number };
      const row = await agentOr404(ctx, req);
      assertMayManage(req.principal, row);
      assertAgentActive(row);
      const now = ctx.clock.now();
      const held = await db.transaction().execute(async (trx) => {
        const current = await holdAgentAndCredential(trx, ctx.storage.engine, req, row.id, now);
        if (current === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
        assertAgentActive(current);
        const before = await store.findVoice(trx, row.id);
        // What changed, for the audit log: never the fingerprint, nor the digest kept of it.
        const changed = [
          ...(before !== undefined && voiceMatches(before.fingerprint_digest, body.fingerprint_hash)
            ? []
            : ['fingerprint']),
          ...(before?.provider === body.provider ? [] : ['provider']),
          ...(before?.sample_count === body.sample_count ? [] : ['sample_count']),
        ];
        await store.upsertVoice(trx, {
          agent_id: row.id,
          fingerprint_digest: fingerprintDigest(body.fingerprint_hash),
          provider: body.provider,
          sample_count: body.sample_count,
          created_at: now,
          updated_at: now,
        });
        if (changed.length > 0) {
          // The profile shows the fingerprint's provider and samples, and scores it: its updated_at moves with them.
          await store.touchAgent(trx, row.id, now);
          await recordAudit(trx, {
            at: now,
            actor: actorOf(req.principal!),
            action: 'agent.set_voice',
            target: didOf(row.id),
            // Not the fingerprint, nor the provider's text: `changed` names what changed.
            details: { by: req.principal!.caller, changed, sampleCount: body.sample_count },
            requestId: req.id,
          });
        }
        return current;
      });
      return {
        registered: true,
        // As locked in the transaction: a slug changed since the lookup (and perhaps taken by another agent) is not
        // this agent's any more.
        agent_slug: held.slug,
        did: didOf(row.id),
        provider: body.provider,
        sample_count: body.sample_count,
      };
    },
  );

  const fingerprintQuery = {
    type: 'object',
    additionalProperties: false,
    properties: { fingerprint_hash: { type: 'string', pattern: sha256HexPattern } },
  } as const;

  app.post(
    '/v1/identity/:slug/verify-voice',
    {
      config: { policy: { caller: 'public', rateLimit: { max: 60, windowMs: 60_000 } } },
      schema: {
        summary: 'Check a voice fingerprint hash (query or JSON body) against the registered one, in constant time.',
        tags: ['identity'],
        params: agentSlugParams,
        querystring: fingerprintQuery,
        body: { ...fingerprintQuery, type: ['object', 'null'] },
      },
    },
    async (req) => {
      const presented =
        (req.query as { fingerprint_hash?: string }).fingerprint_hash ??
        (req.body as { fingerprint_hash?: string } | null | undefined)?.fingerprint_hash;
      if (presented === undefined) {
        throw new ApiError('VALIDATION_FAILED', 'querystring.fingerprint_hash is required, or body.fingerprint_hash.', {
          field: 'querystring.fingerprint_hash',
        });
      }
      // The agent, its score and its fingerprint in one read: a revocation or a lapsed domain committing between
      // reads answered an agent of one moment beside the score of another.
      const by = parseAgentRef(idFor(req));
      const row = by === undefined ? undefined : await store.findVoiceCheck(db, by);
      if (row === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug, DID or id.');
      const matched = row.voice_digest !== null && voiceMatches(row.voice_digest, presented);
      // A revoked agent's voice verifies nothing, as its tools do not (verify-tools): same field, same code.
      const revoked = row.status === 'revoked';
      const verified = matched && !revoked;
      const score = scoreOfProfile(row).score;
      return {
        verified,
        agent_slug: row.slug,
        did: didOf(row.id),
        confidence: verified ? 1.0 : 0.0,
        safe_for_payment: safeForPayment({
          verified,
          revoked,
          domainVerified: row.verified_domain !== null,
          keyProven: keyProven(row),
          score,
          sampleCount: row.voice_sample_count ?? 0,
        }),
        ...(revoked ? { error: 'This agent has been revoked.', code: 'AGENT_REVOKED' } : {}),
      };
    },
  );
}
