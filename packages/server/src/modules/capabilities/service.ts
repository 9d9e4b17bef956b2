// The capability gateway (issue 7, seed 001 "SINT Protocol Integration"): issues capability tokens, optionally bound
// to a registry issuer through the agent's credential, decides intercepts against the registry held now, revokes
// (a parent's revocation denies every descendant, through the signed `par` chain) and delegates narrower tokens.
// The decisions themselves are the SDK's `checkCapability`, the same function an offline verifier runs.
import { randomBytes } from 'node:crypto';
import {
  BOUND_ONLY_TIERS,
  CAPABILITY_TIER_MAX_SECONDS,
  PROOF_MAX_AGE_SECONDS,
  VouchError,
  actionCovers,
  checkCapability,
  decodeCapabilityToken,
  encodeBase64url,
  parsePublicKey,
  resourceCovers,
  sha256HexSync,
  signCapabilityToken,
  verifyAgentCredential,
  verifyCapabilityProof,
  verifyRevocationRequest,
} from '@vouch/sdk';
import type {
  CapabilityClaims,
  CapabilityDecision,
  CapabilityRequest,
  CapabilityTier,
  RegistryDocument,
  VerifiedAgentCredential,
} from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError, type ApiErrorCode } from '../../errors.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import { hashSecret } from '../../http/secrets.ts';
import type { Principal } from '../../http/policy.ts';
import { recordAudit, translateErrors } from '../../storage/index.ts';
import { recordSigned } from '../../record-signed.ts';
import { findAgent, parseAgentRef } from '../agents/service.ts';
import { getTrustedRegistry, registryStillAt } from '../registry/service.ts';
import { gatewayKeysOf } from './keys.ts';
import { capabilitySignatureCacheOf } from './signature-cache.ts';
import * as store from './store.ts';

/** SDK refusals that keep their code as API errors (each is an `ApiErrorCode` with its status). */
const PASS_THROUGH = new Set<string>([
  'CREDENTIAL_INVALID',
  'CREDENTIAL_EXPIRED',
  'SUBJECT_MISMATCH',
  'SCOPE_VIOLATION',
  'UNKNOWN_ISSUER',
  'ISSUER_REVOKED',
  'PROOF_INVALID',
  'PROOF_STALE',
]);

/** Longest agent id a token's `sub` takes, in UTF-16 code units (the SDK's claim check). */
const MAX_AGENT_ID_UNITS = 256;

/** Issues (or delegations) started again when a governance step committed under them, after the first attempt. */
const REGISTRY_RETRIES = 3;

/** A governance step committed between a bound token's registry check and its record: check again. */
class RegistryMoved extends Error {}

/**
 * Runs `attempt` (a registry-bound issue or delegation, checked and recorded) again while a governance step commits
 * between its check and its record, so that it is decided on the registry in force when it is recorded; 409
 * `REGISTRY_CONFLICT` when the registry moved under every try.
 */
async function onRegistryInForce<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RegistryMoved)) throw err;
      if (i === REGISTRY_RETRIES) {
        throw new ApiError('REGISTRY_CONFLICT', 'The trust registry changed repeatedly during this issuance; retry.');
      }
    }
  }
}

/** Runs an SDK check, turning its refusals into API errors with the same code. */
async function sdk<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof VouchError && !(err instanceof ApiError) && PASS_THROUGH.has(err.code)) {
      throw new ApiError(err.code as ApiErrorCode, err.message);
    }
    throw err;
  }
}

/**
 * Call after rotating the capability key in this process: the next token is signed with the new key. Other
 * processes sign with it as soon as the rotation's announcement reaches them (storage/changes.ts), within a minute
 * (their cache) should they miss it; tokens signed with the retired key keep verifying until they expire, and the
 * retired key verifies nothing signed later (see keys.ts). After a compromised rotation the dropped keys verify
 * nothing here from now on (their kid is unknown), at other processes as the announcement reaches them.
 */
export function capabilityKeyRotated(ctx: AppContext): void {
  gatewayKeysOf(ctx).invalidate();
}

/** The verified registry document the gateway holds now, or undefined when there is none (or no registry module). */
export async function currentRegistry(ctx: AppContext): Promise<RegistryDocument | undefined> {
  try {
    return (await getTrustedRegistry(ctx)).doc;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'REGISTRY_UNAVAILABLE') return undefined;
    throw err;
  }
}

async function requireRegistry(ctx: AppContext): Promise<RegistryDocument> {
  const doc = await currentRegistry(ctx);
  if (doc === undefined) {
    throw new ApiError('REGISTRY_UNAVAILABLE', 'This gateway holds no valid trust registry to check the issuer.');
  }
  return doc;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function newJti(): string {
  return encodeBase64url(randomBytes(16));
}

/**
 * A proof of possession checked against the bound key; returns what marks it used. `undefined` is a recorded bound key
 * the SDK now refuses (see {@link recordedBoundKey}): no proof by it proves anything, so every one is `PROOF_INVALID`.
 */
async function checkProof(
  ctx: AppContext,
  agentKey: ReturnType<typeof parsePublicKey> | undefined,
  proof: string | undefined,
  request: CapabilityRequest,
): Promise<{ digest: string; expiresAt: number }> {
  if (proof === undefined) {
    throw new ApiError('PROOF_REQUIRED', "The agent credential binds the agent's key: send `proof`, signed by it.");
  }
  if (agentKey === undefined) {
    throw new ApiError('PROOF_INVALID', "The agent credential's bound key is one for which signatures can be forged.");
  }
  const iat = await sdk(() => verifyCapabilityProof(proof, { agentKey, ...request, now: ctx.clock.now() }));
  return { digest: sha256HexSync(proof), expiresAt: (iat + PROOF_MAX_AGE_SECONDS) * 1000 };
}

/** What expired before this (ms) housekeeping prunes: another gateway process's clock may lag by the skew. */
function prunedBefore(ctx: AppContext): number {
  return ctx.clock.now() - ctx.config.clockSkewSeconds * 1000;
}

/**
 * Housekeeping, safe to run in every process at any time: prunes token records, revocations and spent proofs whose
 * time ended more than the clock skew ago. Another process's clock may lag this one's by up to the skew, and until
 * its clock passes a token's expiry it still needs the revocation, and a proof's record, to refuse them. Then
 * replaces the text of tokens an earlier version recorded during a rolling upgrade by its digest
 * (`store.scrubTokenText`); returns the prune's counts.
 *
 * @example
 * setInterval(() => void pruneCapabilityState(ctx), 60_000).unref();
 */
export async function pruneCapabilityState(ctx: AppContext): ReturnType<typeof store.prune> {
  const { storage } = ctx;
  const counts = await store.prune(storage.db, storage.engine, prunedBefore(ctx));
  await store.scrubTokenText(storage.db);
  return counts;
}

/**
 * Signs `claims`, then records the token (as the SHA-256 of its exact compact text: the text, a bearer credential, is
 * not stored) and spends the proof in one transaction that also holds the signing key active (recordSigned: a key a
 * rotation has retired or dropped meanwhile signs again with the active one) and, for a token bound to an issuer, the
 * registry at `registrySequence`, the document its issuer was checked in (`RegistryMoved` when a governance step
 * committed since). A token the admin issued is audited, as `adminActor` (which admin key: `admin` or
 * `admin:previous`).
 */
async function record(
  ctx: AppContext,
  claims: CapabilityClaims,
  row: {
    parentJti: string | null;
    cnfJwk: string | null;
    issuedBy: string;
    vouchAgentId: string | null;
    registrySequence?: number;
  },
  proof: { digest: string; expiresAt: number } | undefined,
  requestId: string | undefined,
  adminActor?: string,
): Promise<{ tokenId: string; token: string; expiresAt: string }> {
  const token = await recordSigned(
    ctx.storage,
    gatewayKeysOf(ctx),
    'capability keys',
    (key) => signCapabilityToken(claims, key.privateKey, { kid: key.kid }),
    async (trx, _key, signed) => {
      await store.insertToken(trx, {
        jti: claims.jti,
        token: null,
        token_sha256: hashSecret(signed),
        agent_id: claims.sub,
        issuer_id: claims.iid,
        parent_jti: row.parentJti,
        depth: claims.par.length,
        cnf_jwk: row.cnfJwk,
        issued_by: row.issuedBy,
        issued_at: claims.iat * 1000,
        expires_at: claims.exp * 1000,
        vouch_agent_id: row.vouchAgentId,
      });
      if (proof !== undefined && !(await store.consumeProof(trx, proof.digest, proof.expiresAt))) {
        throw new ApiError('PROOF_REPLAYED', 'This proof has already been used; sign a new one.');
      }
      // After the writes above (SQLite: this transaction holds the write lock, so it reads the latest).
      if (row.registrySequence !== undefined && !(await registryStillAt(ctx, trx, row.registrySequence))) {
        throw new RegistryMoved();
      }
    },
    async (trx) => {
      if (adminActor === undefined) return;
      await recordAudit(trx, {
        at: ctx.clock.now(),
        actor: adminActor,
        action: 'capability.issue',
        target: claims.jti,
        details: { sub: claims.sub, res: claims.res, act: claims.act, tier: claims.tier, exp: claims.exp },
        requestId,
      });
    },
  );
  return { tokenId: claims.jti, token, expiresAt: iso(claims.exp) };
}

export interface IssueCapabilityInput {
  agentId: string;
  resource: string;
  action: string;
  issuerBinding?: { issuerId: string; agentCredential: string };
  tier: CapabilityTier;
  expiresIn: number;
  proof?: string;
  requestId?: string;
}

/**
 * `POST /v1/tokens`. With `issuerBinding`, the agent credential is verified against the issuer's key in the registry
 * held now (and the proof of possession when it binds the agent's key), and checked again when a governance step
 * commits before the token is recorded; without, only the admin may issue. Lifetime: `expiresIn` capped by the tier,
 * `VOUCH_CAPABILITY_MAX_TTL` and the credential's expiry.
 *
 * @example
 * const issued = await issueCapability(ctx, null, { agentId, resource, action, tier: 'standard', expiresIn: 600,
 *   issuerBinding: { issuerId: 'acme', agentCredential } });
 */
export function issueCapability(
  ctx: AppContext,
  principal: Principal | null,
  input: IssueCapabilityInput,
): Promise<{ tokenId: string; token: string; expiresAt: string }> {
  return onRegistryInForce(() => issueOnce(ctx, principal, input));
}

async function issueOnce(
  ctx: AppContext,
  principal: Principal | null,
  input: IssueCapabilityInput,
): Promise<{ tokenId: string; token: string; expiresAt: string }> {
  const now = ctx.clock.now();
  const { agentId, resource, action, tier } = input;
  // The route schema's maxLength counts code points; a token's `sub` (and a credential's) is at most 256 UTF-16 code
  // units, so 129 emoji passed the schema and failed only at signing, as a 400 with no field.
  if (agentId.length > MAX_AGENT_ID_UNITS) {
    throw new ApiError('VALIDATION_FAILED', `body.agentId must be at most ${MAX_AGENT_ID_UNITS} UTF-16 code units.`, {
      field: 'body.agentId',
    });
  }
  let credential: VerifiedAgentCredential | undefined;
  let proof: { digest: string; expiresAt: number } | undefined;
  let registrySequence: number | undefined;
  if (input.issuerBinding !== undefined) {
    const { issuerId, agentCredential } = input.issuerBinding;
    const registry = await requireRegistry(ctx);
    registrySequence = registry.sequence;
    const verified = await sdk(() =>
      verifyAgentCredential(agentCredential, {
        registry,
        now,
        agentId,
        resource,
        action,
        clockSkewSeconds: ctx.config.clockSkewSeconds,
        signatureCache: capabilitySignatureCacheOf(ctx),
      }),
    );
    if (verified.claims.iss !== issuerId) {
      throw new ApiError('CREDENTIAL_INVALID', 'The agent credential was not issued by issuerBinding.issuerId.');
    }
    if (verified.agentKey !== undefined) {
      proof = await checkProof(ctx, verified.agentKey, input.proof, { agentId, resource, action });
    }
    credential = verified;
  } else {
    if (principal?.caller !== 'admin') {
      throw new ApiError('UNAUTHORIZED', 'A token without issuerBinding needs the admin key (x-api-key).');
    }
    if (input.proof !== undefined) {
      throw new ApiError('VALIDATION_FAILED', 'body.proof goes with an issuerBinding whose credential binds a key.', {
        field: 'body.proof',
      });
    }
  }
  if (credential === undefined && BOUND_ONLY_TIERS.includes(tier)) {
    throw new ApiError('TIER_NOT_ALLOWED', `Tier ${tier} needs an issuerBinding.`);
  }
  // The agent `agentId` names now is the one the token is for, whoever holds its slug later (agent ids that are no
  // Vouch reference cost no query). One revoked after this read is caught at intercept through the recorded id.
  const agent = await findAgent(ctx, agentId);
  if (agent?.status === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent has been revoked.');

  const iat = Math.floor(now / 1000);
  let lifetime = Math.min(input.expiresIn, CAPABILITY_TIER_MAX_SECONDS[tier], ctx.config.capabilities.maxTtlSeconds);
  if (credential !== undefined) lifetime = Math.min(lifetime, credential.claims.exp - iat);
  if (lifetime <= 0) throw new ApiError('CREDENTIAL_EXPIRED', 'The agent credential expires now.');
  const claims: CapabilityClaims = {
    jti: newJti(),
    sub: agentId,
    res: resource,
    act: action,
    tier,
    iat,
    exp: iat + lifetime,
    iid: credential?.claims.iss ?? null,
    cth: credential?.hash ?? null,
    ikt: credential?.issuerKeyThumbprint ?? null,
    par: [],
  };
  const cnf = credential?.claims.cnf;
  return record(
    ctx,
    claims,
    {
      parentJti: null,
      cnfJwk: cnf === undefined ? null : JSON.stringify(cnf.jwk),
      issuedBy: credential === undefined ? 'admin' : `issuer:${credential.claims.iss}`,
      vouchAgentId: agent?.id ?? null,
      ...(registrySequence === undefined ? {} : { registrySequence }),
    },
    proof,
    input.requestId,
    credential === undefined && principal !== null ? adminActorOf(principal) : undefined,
  );
}

/**
 * The agent key a token was recorded with (its credential's `cnf.jwk`), or undefined for one the SDK now refuses (a
 * point of small order, from a credential accepted before the refusal): a 400 `INVALID_KEY` would be about a key the
 * caller did not send.
 */
function recordedBoundKey(cnfJwk: string): ReturnType<typeof parsePublicKey> | undefined {
  try {
    return parsePublicKey(JSON.parse(cnfJwk) as Record<string, unknown>, { type: 'Ed25519' });
  } catch (err) {
    if (err instanceof VouchError && err.code === 'INVALID_KEY') return undefined;
    throw err;
  }
}

/** Shares one registry read among the decisions of a batch. */
function registryOnce(ctx: AppContext): () => Promise<RegistryDocument | undefined> {
  let doc: Promise<RegistryDocument | undefined> | undefined;
  return () => (doc ??= currentRegistry(ctx));
}

/**
 * `POST /v1/intercept`: whether `token` lets `agentId` perform `action` on `resource` now, against the registry
 * the gateway holds now (see `checkCapability` for the order of the checks and the deny codes). The token must be
 * one this gateway recorded, as this exact text (`TOKEN_UNKNOWN`): a valid signature alone proves nothing once a
 * capability key has leaked. A retired key verifies only tokens with an `iat` from before its retirement. The agent
 * checked for revocation is the one recorded at issuance (for the token and each ancestor), not whoever holds its
 * slug now; and a token whose `sub` is a slug is denied `SUBJECT_MISMATCH` once that slug no longer names the agent
 * it was issued to (released, or taken by another agent). One query answers all of it, with the token's revocation.
 *
 * @example
 * const d = await interceptCapability(ctx, { token, agentId, resource: 'payments:invoices', action: 'read' });
 */
export async function interceptCapability(
  ctx: AppContext,
  input: CapabilityRequest & { token: string },
  registry: () => Promise<RegistryDocument | undefined> = registryOnce(ctx),
): Promise<CapabilityDecision> {
  const db = ctx.storage.db;
  // Asked only once `sub` equals `agentId` (checkCapability denies SUBJECT_MISMATCH before it).
  const ref = parseAgentRef(input.agentId);
  const slug = ref !== undefined && 'slug' in ref ? ref.slug : null;
  const keys = gatewayKeysOf(ctx);
  let issuedUntil: number | null = null;
  let standing: store.TokenStanding | undefined;
  const decision = await checkCapability(
    input.token,
    { agentId: input.agentId, resource: input.resource, action: input.action },
    {
      resolveKey: async (kid) => {
        const key = await keys.verifyingKey(kid);
        issuedUntil = key?.issuedUntil ?? null;
        return key?.publicKey;
      },
      now: ctx.clock.now(),
      registry,
      // One query: whether this exact token is on record, the token's and its ancestors' revocation, their recorded
      // agent's, and who holds `slug` now.
      revocationStatus: async (claims) =>
        (standing = await store.tokenStanding(db, [...claims.par, claims.jti], input.token, slug)),
      signatureCache: capabilitySignatureCacheOf(ctx),
    },
  );
  // Claims are only returned once the signature verified: a retired key did not sign what claims a later `iat`.
  if (issuedUntil !== null && decision.claims !== undefined && decision.claims.iat * 1000 > issuedUntil) {
    return {
      decision: 'deny',
      code: 'INVALID_SIGNATURE',
      reason: "The token is not signed by one of the gateway's capability keys.",
    };
  }
  // A slug `sub` must still name the agent the token was issued to (fail closed if the status was never read).
  if (
    decision.decision === 'allow' &&
    slug !== null &&
    (standing === undefined || standing.slugHolder !== standing.agentId)
  ) {
    return {
      decision: 'deny',
      code: 'SUBJECT_MISMATCH',
      reason: 'The token was issued to another agent: its slug no longer names that agent.',
      claims: decision.claims,
    };
  }
  return decision;
}

/** `POST /v1/intercept/batch`: one decision per request, in order, with one registry read for the batch. */
export async function interceptBatch(
  ctx: AppContext,
  requests: ReadonlyArray<CapabilityRequest & { token: string }>,
): Promise<CapabilityDecision[]> {
  const registry = registryOnce(ctx);
  return Promise.all(requests.map((r) => interceptCapability(ctx, r, registry)));
}

/**
 * The token's record, or undefined once housekeeping may prune it (expired before {@link prunedBefore}): whether it
 * ran yet must not change what a revoke answers.
 */
async function recordedToken(ctx: AppContext, jti: string): Promise<store.CapabilityTokenRow | undefined> {
  const row = await store.findToken(ctx.storage.db, jti);
  return row === undefined || row.expires_at < prunedBefore(ctx) ? undefined : row;
}

/**
 * `POST /v1/tokens/revoke`: by the admin, or by the issuer the token is bound to with `proof` (a JWS `{jti, iat}`
 * by its current registry key). Revoking is idempotent; every token delegated from it is denied from then on.
 *
 * @example
 * await revokeCapability(ctx, adminPrincipal, { tokenId, reason: 'compromised' });
 */
export async function revokeCapability(
  ctx: AppContext,
  principal: Principal | null,
  input: { tokenId: string; reason?: string; proof?: string; requestId?: string },
): Promise<{ tokenId: string; revoked: true; alreadyRevoked: boolean }> {
  const db = ctx.storage.db;
  const row = await recordedToken(ctx, input.tokenId);
  let revokedBy: string;
  // Which admin key, for the audit log; the revocation row records the kind of revoker only.
  let auditActor: string | undefined;
  if (principal?.caller === 'admin') {
    if (row === undefined) throw new ApiError('NOT_FOUND', 'No capability token has this id.');
    revokedBy = 'admin';
    auditActor = adminActorOf(principal);
  } else if (input.proof !== undefined) {
    const registry = await requireRegistry(ctx);
    const options = { registry, jti: input.tokenId, now: ctx.clock.now() };
    const proof = input.proof;
    let issuerId: string;
    try {
      issuerId = await sdk(() => verifyRevocationRequest(proof, options));
    } catch (err) {
      // A retry after a lost answer (the SDK retries this route, waiting up to 30 s) may come after the proof's
      // window: it learns the token is revoked, as a fresh duplicate would. Everything but the age is still checked,
      // and a stale proof never revokes.
      if (!(err instanceof ApiError && err.code === 'PROOF_STALE') || row === undefined) throw err;
      const stale = await sdk(() => verifyRevocationRequest(proof, { ...options, allowStale: true }));
      if (row.issuer_id !== stale || !(await store.isRevoked(db, row.jti))) throw err;
      return { tokenId: row.jti, revoked: true, alreadyRevoked: true };
    }
    if (row === undefined) throw new ApiError('NOT_FOUND', 'No capability token has this id.');
    if (row.issuer_id !== issuerId) throw new ApiError('FORBIDDEN', 'This token is not bound to that issuer.');
    revokedBy = `issuer:${issuerId}`;
  } else {
    throw new ApiError(
      'UNAUTHORIZED',
      'Revoking needs the admin key (x-api-key) or `proof`, signed by the issuer the token is bound to.',
    );
  }
  const now = ctx.clock.now();
  const inserted = await translateErrors(() =>
    db.transaction().execute(async (trx) => {
      const fresh = await store.insertRevocation(trx, {
        jti: row.jti,
        revoked_at: now,
        expires_at: row.expires_at,
        reason: input.reason ?? null,
        revoked_by: revokedBy,
      });
      if (fresh) {
        await recordAudit(trx, {
          at: now,
          actor: auditActor ?? revokedBy,
          action: 'capability.revoke',
          target: row.jti,
          details: { sub: row.agent_id, reason: input.reason ?? null },
          requestId: input.requestId,
        });
      }
      return fresh;
    }),
  );
  return { tokenId: row.jti, revoked: true, alreadyRevoked: !inserted };
}

const DENY_STATUS_CODES = new Set<string>([
  'MALFORMED_TOKEN',
  'INVALID_SIGNATURE',
  'TOKEN_LIFETIME_EXCEEDED',
  'TOKEN_EXPIRED',
  'TOKEN_UNKNOWN',
  'TOKEN_REVOKED',
  'AGENT_REVOKED',
  'SUBJECT_MISMATCH',
  'REGISTRY_UNAVAILABLE',
  'UNKNOWN_ISSUER',
  'ISSUER_REVOKED',
  'ISSUER_KEY_ROTATED',
]);

/**
 * `POST /v1/tokens/delegate`: a child of a token that would be allowed now, for the same agent and tier, with a
 * resource pattern the parent's covers, the same action or a narrower one (`*` → one), never a later expiry, at most
 * `VOUCH_DELEGATION_MAX_DEPTH` steps from the root; with a proof of possession when the parent's credential bound
 * the agent's key.
 *
 * @example
 * const child = await delegateCapability(ctx, { token, resource: 'payments:invoices:42', expiresIn: 60 });
 */
export function delegateCapability(
  ctx: AppContext,
  input: { token: string; resource?: string; action?: string; expiresIn?: number; proof?: string; requestId?: string },
): Promise<{ tokenId: string; token: string; expiresAt: string }> {
  return onRegistryInForce(() => delegateOnce(ctx, input));
}

async function delegateOnce(
  ctx: AppContext,
  input: { token: string; resource?: string; action?: string; expiresIn?: number; proof?: string; requestId?: string },
): Promise<{ tokenId: string; token: string; expiresAt: string }> {
  let parent: CapabilityClaims;
  try {
    parent = decodeCapabilityToken(input.token).claims;
  } catch (err) {
    throw new ApiError('MALFORMED_TOKEN', (err as Error).message);
  }
  // The document the parent's issuer is checked in: a child of a bound token is recorded only while it is in force.
  const read = registryOnce(ctx);
  let checkedIn: RegistryDocument | undefined;
  const check = await interceptCapability(
    ctx,
    { token: input.token, agentId: parent.sub, resource: parent.res, action: parent.act },
    async () => (checkedIn = await read()),
  );
  if (check.decision === 'deny') {
    const code = DENY_STATUS_CODES.has(check.code) ? (check.code as ApiErrorCode) : 'FORBIDDEN';
    throw new ApiError(code, `The parent token is not valid: ${check.reason}`);
  }
  if (parent.par.length + 1 > ctx.config.capabilities.delegationMaxDepth) {
    throw new ApiError(
      'DELEGATION_DEPTH_EXCEEDED',
      `A token may be delegated at most ${ctx.config.capabilities.delegationMaxDepth} steps from its root.`,
    );
  }
  const resource = input.resource ?? parent.res;
  const action = input.action ?? parent.act;
  if (!resourceCovers(parent.res, resource)) {
    throw new ApiError('DELEGATION_WIDER', "The resource is not within the parent token's resource.");
  }
  if (!actionCovers(parent.act, action)) {
    throw new ApiError('DELEGATION_WIDER', "The action is not the parent token's action or narrower.");
  }
  const row = await store.findToken(ctx.storage.db, parent.jti);
  if (row === undefined) throw new ApiError('NOT_FOUND', 'The parent token is not on record at this gateway.');
  let proof: { digest: string; expiresAt: number } | undefined;
  if (row.cnf_jwk !== null) {
    const agentKey = recordedBoundKey(row.cnf_jwk);
    proof = await checkProof(ctx, agentKey, input.proof, { agentId: parent.sub, resource, action });
  }
  const iat = Math.floor(ctx.clock.now() / 1000);
  // The tier's cap from this iat too: a process whose clock lags the parent's issuer would otherwise stamp a child
  // whose exp - iat exceeds the tier, denied TOKEN_LIFETIME_EXCEEDED everywhere for its whole life.
  const exp = Math.min(
    parent.exp,
    iat + CAPABILITY_TIER_MAX_SECONDS[parent.tier],
    iat + ctx.config.capabilities.maxTtlSeconds,
    input.expiresIn === undefined ? parent.exp : iat + input.expiresIn,
  );
  if (exp <= iat) throw new ApiError('TOKEN_EXPIRED', 'The parent token expires now.');
  const claims: CapabilityClaims = {
    ...parent,
    jti: newJti(),
    res: resource,
    act: action,
    iat,
    exp,
    par: [...parent.par, parent.jti],
  };
  return record(
    ctx,
    claims,
    {
      parentJti: parent.jti,
      cnfJwk: row.cnf_jwk,
      issuedBy: 'delegation',
      vouchAgentId: row.vouch_agent_id,
      ...(parent.iid === null || checkedIn === undefined ? {} : { registrySequence: checkedIn.sequence }),
    },
    proof,
    input.requestId,
  );
}
