// Agent identity tokens (AIP): issuance, verification, revocation and the revocation list. Other modules call
// these functions (e.g. the agents module revokes an agent's tokens with revokeTokensOfAgent); the HTTP routes are
// thin wrappers around them.
import { randomBytes } from 'node:crypto';
import {
  AIP_DEFAULT_EXPIRES_IN,
  AIP_EXPIRES_IN,
  AIP_TYP,
  MAX_TOKEN_LENGTH,
  VouchError,
  aipClaimName,
  aipIssueProofMessage,
  decodeJwt,
  encodeBase64url,
  sha256HexSync,
  signJwt,
  verifyAipToken,
  verifyJws,
} from '@vouch/sdk';
import type { AipExpiresIn, AipTokenType, JwtClaims, VerifiedAipToken, VouchErrorCode } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { recordSigned } from '../../record-signed.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import type { Principal } from '../../http/policy.ts';
import {
  announceChange,
  dropRetiredServerKeys,
  listServerKeyStates,
  recordAudit,
  translateErrors,
} from '../../storage/index.ts';
import { agentDirectory, mayActFor } from './agents.ts';
import { keyringOf, TOKEN_KEY_PURPOSE } from './keyring.ts';
import * as store from './store.ts';
import type { Db } from './store.ts';
import { noteAgentRevocation, revocationTransaction } from './local-revocations.ts';
// The transaction the callers of revokeTokensOfAgent open.
export { revocationTransaction };
import { REVOCATIONS_TOPIC, verifyCacheOf } from './verify-cache.ts';
import { signatureCacheOf } from './signature-cache.ts';
import { payloadDigest, retiredKeyTokensOf } from './retired-key-tokens.ts';
import { isIdentifierText, isIssuableAudienceOrNonce, isIssuableJti, MAX_JTI_LENGTH } from './issued-claims.ts';

/** Why a token is not valid: the SDK's token codes, plus what only the server knows (its records, the agent). */
export type TokenFailureCode = VouchErrorCode | 'AGENT_REVOKED' | 'AGENT_NOT_FOUND' | 'TOKEN_UNKNOWN';

/** A token verification that failed; the verify route answers 401 `{valid: false, error, code}`. */
export class TokenInvalidError extends VouchError<TokenFailureCode> {}

const TOKEN_CODES = new Set<string>([
  'TOKEN_TYPE_MISMATCH',
  'TOKEN_REVOKED',
  'NONCE_REPLAYED',
  'AGENT_REVOKED',
  'AGENT_NOT_FOUND',
  'TOKEN_LIFETIME_EXCEEDED',
  'TOKEN_UNKNOWN',
]);

/** Whether an error says "this token is not valid" (as opposed to a failure of the server itself). */
export function isTokenFailure(err: unknown): err is VouchError<string> {
  if (err instanceof TokenInvalidError) return true;
  if (!(err instanceof VouchError) || err instanceof ApiError) return false;
  const code = (err as VouchError<string>).code;
  return code.startsWith('JWT_') || TOKEN_CODES.has(code);
}

export interface IssueInput {
  /** The agent's slug or DID (`agent_name`). */
  agentRef: string;
  tokenType?: AipTokenType;
  audience?: string;
  nonce?: string;
  expiresIn?: AipExpiresIn;
  deployer?: string;
  modelProviders?: string[];
  framework?: string;
  /** The agent's own proof, for a caller without other credentials. */
  proof?: { signature: string; signedAt: number };
  requestId?: string;
  /**
   * Holds the request's credential in the transaction that records the token (throws when it was revoked since it
   * authenticated the request): the route passes {@link holdRequestCredential}.
   */
  holdCredential?: (trx: Db) => Promise<void>;
}

/** The seed's issue answer (`expires_in` as asked, e.g. `24h`), plus `exp` in seconds. */
export interface IssuedToken {
  token: string;
  token_type: AipTokenType;
  jti: string;
  expires_in: AipExpiresIn;
  exp: number;
}

function badRequest(message: string, field?: string): ApiError {
  return new ApiError('VALIDATION_FAILED', message, { field });
}

/**
 * Issues an identity or session token for a registered agent. Who may: the admin (any agent), the agent's owner,
 * or — with no principal — the agent itself through `proof` (Ed25519 over {@link aipIssueProofMessage}, `signedAt`
 * within `VOUCH_SIGNATURE_WINDOW`, each proof usable once). Errors: 404 `NOT_FOUND`, 403 `AGENT_REVOKED`, 403
 * `FORBIDDEN` (someone else's agent), 401 `UNAUTHORIZED` / `PROOF_STALE` / `PROOF_INVALID`, 409 `PROOF_REPLAYED`,
 * 400 `VALIDATION_FAILED` (session without audience, identity with audience or nonce).
 *
 * The token is recorded (jti, kid, agent, expiry) in the same transaction that confirms its signing key is still
 * active (share-locked on PostgreSQL), so a rotation never retires a key with a token the database does not know.
 *
 * @example
 * const issued = await issueToken(ctx, req.principal, { agentRef: 'my-agent', tokenType: 'identity' });
 */
export async function issueToken(
  ctx: AppContext,
  principal: Principal | null,
  input: IssueInput,
): Promise<IssuedToken> {
  const { config, clock, storage } = ctx;
  const tokenType = input.tokenType ?? 'identity';
  if (tokenType === 'session' && input.audience === undefined) {
    throw badRequest('body.audience is required for a session token.', 'body.audience');
  }
  if (tokenType === 'identity' && (input.audience !== undefined || input.nonce !== undefined)) {
    throw badRequest('An identity token is not audience-bound: send audience and nonce only for session tokens.');
  }
  const directory = agentDirectory(ctx);
  const agent = await directory.find(input.agentRef);
  if (agent === undefined) throw new ApiError('NOT_FOUND', 'No agent has this slug or DID.');
  if (agent.status === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent has been revoked.');

  const now = clock.now();
  let issuedBy: string;
  let proof: { digest: string; expiresAt: number } | undefined;
  if (principal !== null && (principal.caller === 'admin' || principal.caller === 'owner')) {
    if (!mayActFor(principal, agent)) {
      throw new ApiError('FORBIDDEN', 'These credentials do not allow issuing tokens for this agent.');
    }
    issuedBy = principal.caller === 'admin' ? 'admin' : `owner:${principal.id}`;
  } else if (input.proof !== undefined) {
    const windowMs = config.signatureWindowSeconds * 1000;
    const { signature, signedAt } = input.proof;
    if (Math.abs(now - signedAt) > windowMs) {
      throw new ApiError('PROOF_STALE', `signedAt must be within ${config.signatureWindowSeconds} s of server time.`);
    }
    const message = aipIssueProofMessage({ did: agent.did, tokenType, audience: input.audience, signedAt });
    if (!(await directory.verifySignature(agent, message, signature))) {
      throw new ApiError('PROOF_INVALID', "The proof is not the agent's signature over this request.");
    }
    issuedBy = 'agent';
    // Kept until the first millisecond the proof is refused as stale: housekeeping deletes records whose end is at
    // or before its cut-off, which with VOUCH_CLOCK_SKEW=0 is now, while signedAt + window itself is still accepted.
    proof = { digest: sha256HexSync(signature), expiresAt: signedAt + windowMs + 1 };
  } else {
    throw new ApiError(
      'UNAUTHORIZED',
      'Issuing a token needs the admin key (x-api-key), the owner key (Authorization: Bearer) or the agent proof.',
    );
  }

  const expiresIn = input.expiresIn ?? AIP_DEFAULT_EXPIRES_IN[tokenType];
  const iss = config.publicUrl;
  const iat = Math.floor(now / 1000);
  const exp = iat + AIP_EXPIRES_IN[expiresIn];
  const jti = encodeBase64url(randomBytes(16));
  const claims: JwtClaims = { iss, sub: agent.did, iat, exp, jti };
  if (tokenType === 'session') {
    claims.aud = input.audience;
    if (input.nonce !== undefined) claims.nonce = input.nonce;
  }
  if (input.deployer !== undefined) claims[aipClaimName(iss, 'deployer')] = input.deployer;
  if (input.modelProviders !== undefined) claims[aipClaimName(iss, 'model_providers')] = input.modelProviders;
  if (input.framework !== undefined) claims[aipClaimName(iss, 'framework')] = input.framework;
  claims[aipClaimName(iss, 'token_type')] = tokenType;

  const token = await recordSigned(
    storage,
    keyringOf(ctx),
    'token keys',
    async (key) => {
      // Signed before it is recorded, so the record holds its payload's digest (checked for a retired key's tokens);
      // a token whose transaction fails is never handed out.
      const signed = await signJwt(claims, key.privateKey, { kid: key.kid, typ: AIP_TYP[tokenType] });
      // Every verifier, this server's included, refuses a longer token (JWT_TOO_LARGE): long non-ASCII claims within
      // the route's limits would make one that nobody accepts. Refused before anything is recorded.
      if (signed.length > MAX_TOKEN_LENGTH) {
        throw badRequest(
          `The token would be ${signed.length} characters, more than the ${MAX_TOKEN_LENGTH} verifiers accept: ` +
            'shorten deployer, model_providers or framework.',
        );
      }
      return signed;
    },
    async (trx, key, signed) => {
      // Checked again with the agent's row held: a revocation of the agent either committed before this (refused
      // here) or waits for this transaction and then revokes the token with the agent's others. An agent's proof
      // also needs the key it was checked with to be still the agent's: a rotation (the answer to a stolen key)
      // that committed meanwhile refuses it, and one that comes later revokes this token.
      const held = await directory.hold(trx, agent, proof === undefined ? undefined : agent.publicKey);
      if (held === 'revoked') throw new ApiError('AGENT_REVOKED', 'This agent has been revoked.');
      if (held === 'rotated') {
        throw new ApiError('PROOF_INVALID', "The agent's key changed meanwhile; sign the proof with its new key.");
      }
      // An owner key rotated away since it authenticated the request issues nothing (the thief's request too).
      await input.holdCredential?.(trx);
      await store.insertIssuedToken(trx, {
        jti,
        kid: key.kid,
        agent_did: agent.did,
        token_type: tokenType,
        audience: input.audience ?? null,
        issued_by: issuedBy,
        issued_at: now,
        expires_at: exp * 1000,
        payload_sha256: payloadDigest(signed),
      });
      if (proof !== undefined && !(await store.consumeIssueProof(trx, proof.digest, agent.did, proof.expiresAt))) {
        throw new ApiError('PROOF_REPLAYED', 'This proof has already been used; sign a new one.');
      }
    },
    async (trx) => {
      if (issuedBy === 'agent') return;
      await recordAudit(trx, {
        at: now,
        // Which admin key; the token's record keeps `admin`, the kind of issuer.
        actor: issuedBy === 'admin' ? adminActorOf(principal!) : issuedBy,
        action: 'token.issue',
        target: jti,
        details: { sub: agent.did, token_type: tokenType, expires_in: expiresIn },
        requestId: input.requestId,
      });
    },
  );
  return { token, token_type: tokenType, jti, expires_in: expiresIn, exp };
}

/** Whether a verifying principal speaks for a token audience, and so consumes its session nonces. */
export function speaksForAudience(principal: Principal | null, audience: string): boolean {
  if (principal === null) return false;
  if (principal.caller === 'admin') return true;
  // The integrator authenticator (issue 6) names its principal by the integrator's slug: an integrator is the
  // audience whose name is its slug.
  return principal.caller === 'integrator' && principal.id === audience;
}

export interface VerifyInput {
  audience?: string;
  nonce?: string;
  /** When given, the token must be of this type (`TOKEN_TYPE_MISMATCH` otherwise). */
  tokenType?: AipTokenType;
  /** The authenticated caller, if any: the token's audience consumes its nonce. */
  principal?: Principal | null;
}

/**
 * Verifies a token as the server: the SDK's offline checks ({@link verifyAipToken}: structure, ES256 only, typ,
 * kid, signature (skipped for a token whose signature this app verified before: signature-cache.ts), iss, times
 * with `VOUCH_CLOCK_SKEW`, token-type rules, `exp - iat` within 24 h (`TOKEN_LIFETIME_EXCEEDED`), audience, nonce),
 * then a retired key's token recorded as issued by it with this payload before its retirement (`TOKEN_UNKNOWN`,
 * retired-key-tokens.ts), then claims no issued token carries (`JWT_CLAIM_INVALID`: a `jti` past
 * {@link isIssuableJti}, an `exp` that is not whole seconds, an `aud` or `nonce` other than issuance's 1–256 printable ASCII characters), then the database: `jti`
 * not revoked (`TOKEN_REVOKED`), agent known by its DID (not a slug or id) and not revoked (`AGENT_NOT_FOUND`, `AGENT_REVOKED`), and — when the
 * caller authenticates as the token's audience — the session nonce consumed once (`NONCE_REPLAYED` afterwards, in
 * any process: UNIQUE(audience, nonce)). Throws a VouchError for which {@link isTokenFailure} is true.
 *
 * @example
 * const { claims } = await verifyToken(ctx, token, { audience: 'shop', principal: req.principal });
 */
export async function verifyToken(ctx: AppContext, token: string, input: VerifyInput = {}): Promise<VerifiedAipToken> {
  const { config, clock, storage } = ctx;
  const now = clock.now();
  const keyring = keyringOf(ctx);
  const verified = await verifyAipToken(token, {
    resolveKey: keyring.resolveKey,
    issuer: config.publicUrl,
    now,
    clockSkewSeconds: config.clockSkewSeconds,
    audience: input.audience,
    nonce: input.nonce,
    tokenType: input.tokenType,
    signatureCache: signatureCacheOf(ctx),
  });
  // A retired key may have leaked: only the tokens it was recorded to sign count (retired-key-tokens.ts). The active
  // key's answer is synchronous and costs no query.
  const kid = verified.header.kid as string;
  const retiredOrPending = keyring.retiredAt(kid);
  const retiredAt = retiredOrPending instanceof Promise ? await retiredOrPending : retiredOrPending;
  if (retiredAt !== null && !(await retiredKeyTokensOf(ctx).wasIssued(token, verified, kid, retiredAt))) {
    throw new TokenInvalidError('TOKEN_UNKNOWN', 'The token was signed by a retired key and is not one it issued.');
  }
  // What no issued token carries, and token_nonces could not hold (a leaked active key signs what it likes): refused
  // for every caller, so the verdict does not depend on whether the caller consumes the nonce. No query.
  // A jti past isIssuableJti reaches a query once the verify cache overflows, and the nonce row.
  if (!isIssuableJti(verified.jti)) {
    throw new TokenInvalidError(
      'JWT_CLAIM_INVALID',
      `The token's jti holds a control character or is longer than ${MAX_JTI_LENGTH} characters.`,
    );
  }
  if (!Number.isInteger(verified.claims.exp)) {
    throw new TokenInvalidError('JWT_CLAIM_INVALID', "The token's exp is not a whole number of seconds.");
  }
  if (
    (verified.audience !== undefined && !isIssuableAudienceOrNonce(verified.audience)) ||
    (verified.nonce !== undefined && !isIssuableAudienceOrNonce(verified.nonce))
  ) {
    throw new TokenInvalidError(
      'JWT_CLAIM_INVALID',
      "The token's aud or nonce is not 1 to 256 printable ASCII characters without spaces.",
    );
  }
  // Cached (verify-cache.ts): no query in the steady state; other processes' revocations once announced.
  // Both answer synchronously from a fresh cache; awaited only when they had to read.
  const cache = verifyCacheOf(ctx);
  const revokedOrPending = cache.isRevoked(verified.jti);
  const agentOrPending = cache.agent(verified.agent);
  const revoked = typeof revokedOrPending === 'boolean' ? revokedOrPending : await revokedOrPending;
  const agent = agentOrPending instanceof Promise ? await agentOrPending : agentOrPending;
  if (revoked) throw new TokenInvalidError('TOKEN_REVOKED', 'The token has been revoked.');
  // The cache leaves out revocations of tokens expired by its last sync's clock: a sync made while this verification
  // was under way (its time checks at `now`) may have dropped this token's. Expired by that clock, it is refused so.
  if (verified.expiresAt <= cache.prunedThrough) throw new TokenInvalidError('JWT_EXPIRED', 'The token has expired.');
  if (agent === undefined) throw new TokenInvalidError('AGENT_NOT_FOUND', "The token's agent is not registered here.");
  if (agent.revoked) throw new TokenInvalidError('AGENT_REVOKED', "The token's agent has been revoked.");
  const { audience, nonce } = verified;
  if (audience !== undefined && nonce !== undefined && speaksForAudience(input.principal ?? null, audience)) {
    const fresh = await store.consumeNonce(storage.db, {
      audience,
      nonce,
      jti: verified.jti,
      consumedAt: now,
      expiresAt: verified.expiresAt,
    });
    if (!fresh) throw new TokenInvalidError('NONCE_REPLAYED', 'This nonce has already been presented to its audience.');
  }
  return verified;
}

export interface RevokeInput {
  jti?: string;
  token?: string;
  reason?: string;
  requestId?: string;
  /** As {@link IssueInput.holdCredential}, in the transaction that records the revocation. */
  holdCredential?: (trx: Db) => Promise<void>;
}

class AlreadyRevoked extends Error {}

const MAX_LIFETIME_SECONDS = Math.max(...Object.values(AIP_EXPIRES_IN));

/**
 * Revokes a token by `jti` or by the token itself (which must carry a valid signature by one of this server's
 * keys; its expiry does not matter). The admin may revoke any token, an owner the tokens of its agents (by DID, as
 * verify finds a token's agent; 403 `FORBIDDEN` otherwise). Idempotent: revoking twice answers the same. The
 * revocation takes the next sequence number in its own transaction (see {@link store.nextRevocationSeq}) with its
 * audit entry.
 *
 * @example
 * await revokeToken(ctx, req.principal, { jti, reason: 'key leaked' });
 */
export async function revokeToken(
  ctx: AppContext,
  principal: Principal,
  input: RevokeInput,
): Promise<{ jti: string; alreadyRevoked: boolean }> {
  const { config, storage, clock } = ctx;
  let jti: string;
  let expiresAt: number;
  let agentDid: string;
  if (input.token !== undefined) {
    const keyring = keyringOf(ctx);
    await verifyJws(input.token, {
      resolveKey: keyring.resolveKey,
      algorithms: ['ES256'],
      typ: Object.values(AIP_TYP),
    });
    const { claims } = decodeJwt(input.token);
    if (claims.iss !== config.publicUrl) {
      throw new VouchError('JWT_ISSUER_MISMATCH', 'The token was issued by someone else.');
    }
    if (
      typeof claims.jti !== 'string' ||
      typeof claims.sub !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      throw new VouchError('JWT_CLAIM_INVALID', 'The token lacks a string jti and sub or a numeric iat and exp.');
    }
    // A verifier refuses such a token for good (verifyAipToken's lifetime rule): its revocation would only be a row
    // kept until whatever expiry the token's minter chose.
    if (claims.exp - claims.iat > MAX_LIFETIME_SECONDS) {
      throw new VouchError(
        'TOKEN_LIFETIME_EXCEEDED',
        'The token lives longer than any AIP token is issued for (24 h).',
      );
    }
    // A leaked retired key signs whatever it likes: what no server issues, and no list, table or audit entry can hold
    // (U+0000 in PostgreSQL, a jti past the index's and the audit target's size, a time past the range of
    // milliseconds), is refused here rather than failing the insert.
    if (!isIssuableJti(claims.jti) || !isIdentifierText(claims.sub)) {
      throw new VouchError(
        'JWT_CLAIM_INVALID',
        `The token's jti (1 to ${MAX_JTI_LENGTH} characters) or sub holds what no issued token does.`,
      );
    }
    // Whole seconds, rounded up: the list's exp is an integer, and one rounded down would be forgotten by a verifier
    // (exp plus the skew) while the token still passes.
    const expMs = Math.ceil(claims.exp) * 1000;
    if (!Number.isSafeInteger(expMs)) {
      throw new VouchError('JWT_CLAIM_INVALID', "The token's exp is not a time this server can list.");
    }
    jti = claims.jti;
    const issued = await store.findIssuedToken(storage.db, jti);
    expiresAt = issued?.expires_at ?? expMs;
    agentDid = issued?.agent_did ?? claims.sub;
  } else if (input.jti !== undefined) {
    const issued = await store.findIssuedToken(storage.db, input.jti);
    if (issued === undefined) throw new ApiError('NOT_FOUND', 'No live token has this jti.');
    jti = issued.jti;
    expiresAt = issued.expires_at;
    agentDid = issued.agent_did;
  } else {
    throw badRequest('Send either body.jti or body.token.');
  }
  if (principal.caller !== 'admin') {
    const agent = await agentDirectory(ctx).find(agentDid);
    // By DID only, as verify finds a token's agent: the directory also takes a slug or internal id, which as an
    // unrecorded token's sub names no agent (verify: AGENT_NOT_FOUND), so none of the owner's.
    if (agent === undefined || agent.did !== agentDid || !mayActFor(principal, agent)) {
      throw new ApiError('FORBIDDEN', "These credentials do not allow revoking this agent's tokens.");
    }
  }
  if ((await store.findRevocation(storage.db, jti)) !== undefined) return { jti, alreadyRevoked: true };
  const actor = principal.caller === 'admin' ? adminActorOf(principal) : `${principal.caller}:${principal.id}`;
  const now = clock.now();
  try {
    await translateErrors(() =>
      // Its number, once taken, holds back this process's verify cache until the transaction has ended.
      revocationTransaction(storage.db, async (trx) => {
        // The credential before the counter, the order of an agent's revocation (its owner's key, then the counter).
        await input.holdCredential?.(trx);
        // Checked again under the counter lock, which every revocation takes before it reads: no double entry.
        await store.lockRevocationSeq(trx);
        if ((await store.findRevocation(trx, jti)) !== undefined) throw new AlreadyRevoked();
        await store.insertRevocation(trx, {
          jti,
          seq: await store.nextRevocationSeq(trx),
          revoked_at: now,
          expires_at: expiresAt,
          reason: input.reason ?? null,
          agent_did: agentDid,
          revoked_by: actor,
        });
        // Other processes read it at their next verification, not at their next sync (verify-cache.ts).
        await announceChange(trx, storage.engine, REVOCATIONS_TOPIC);
        await recordAudit(trx, {
          at: now,
          actor,
          action: 'token.revoke',
          target: jti,
          details: { sub: agentDid, reason: input.reason ?? null },
          requestId: input.requestId,
        });
      }),
    );
  } catch (err) {
    if (err instanceof AlreadyRevoked) return { jti, alreadyRevoked: true };
    throw err;
  }
  return { jti, alreadyRevoked: false };
}

/**
 * Where a token's records end: its revocation is listed and kept, and its consumed nonce kept, while it expired after
 * this time. A token passes until `exp` + skew by the verifying process's own clock, and that clock (another server
 * process's, or an offline verifier's reading the revocation list) may lag this one's by up to the skew: so twice
 * the skew.
 */
function recordsKeptAfter(ctx: AppContext, now: number): number {
  return now - 2 * ctx.config.clockSkewSeconds * 1000;
}

/**
 * Revokes every token of an agent that a verifier could still accept (unexpired, or expired within twice the clock
 * skew: see {@link recordsKeptAfter}), each with its own sequence number, in the caller's transaction (pass the transaction that revokes the
 * agent, so both commit together, opened with {@link revocationTransaction}: a rolled-back one then stops holding
 * back this process's verify cache). The agents module calls this when an agent is revoked, so offline verifiers
 * learn it from the revocation list. Returns the revoked jtis.
 *
 * @example
 * await revocationTransaction(storage.db, (trx) => revokeTokensOfAgent(ctx, trx, did, { at: now, actor: 'admin' }));
 */
export async function revokeTokensOfAgent(
  ctx: AppContext,
  db: Db,
  agentDid: string,
  opts: { at: number; actor: string; reason?: string },
): Promise<string[]> {
  noteAgentRevocation();
  // Other processes forget the agent and read the revocations at their next verification (verify-cache.ts).
  await announceChange(db, ctx.storage.engine, REVOCATIONS_TOPIC);
  // The counter lock first: a token revoked meanwhile by its jti is then listed as revoked, never inserted twice.
  await store.lockRevocationSeq(db);
  const live = await store.liveTokensOfAgent(db, agentDid, recordsKeptAfter(ctx, opts.at));
  for (const t of live) {
    await store.insertRevocation(db, {
      jti: t.jti,
      seq: await store.nextRevocationSeq(db),
      revoked_at: opts.at,
      expires_at: t.expires_at,
      reason: opts.reason ?? 'agent revoked',
      agent_did: agentDid,
      revoked_by: opts.actor,
    });
  }
  return live.map((t) => t.jti);
}

/**
 * Called by the caller of {@link revokeTokensOfAgent} that revokes the agent itself, once its transaction has ended:
 * a verification in this process that read the agent while that transaction was open (PostgreSQL: another
 * connection, which saw it active) must not keep that read as the agent's standing once the revocation has committed
 * (verify-cache.ts). revokeTokensOfAgent notes the revocation before it commits; this notes it again after.
 *
 * @example
 * await revocationTransaction(storage.db, (trx) => revokeTokensOfAgent(ctx, trx, did, { at: now, actor: 'admin' }));
 * agentRevocationEnded();
 */
export function agentRevocationEnded(): void {
  noteAgentRevocation();
}

/** One page of `GET /api/registry/revocations`. */
export interface RevocationsPage {
  body: {
    revoked: Array<{ jti: string; revoked_at: string; exp: number; reason: string | null }>;
    count: number;
    cursor: string;
    has_more: boolean;
  };
}

const CURSOR = /^[0-9]{1,15}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** Whether the `YYYY-MM-DD` an ISO-8601 time starts with exists: `Date.parse` rolls 2026-02-30 over to March 2. */
function onCalendar(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999.
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/**
 * The revocation list after `since`: a cursor from an earlier page (entries with a greater sequence number), an
 * ISO-8601 time (entries revoked after it), or nothing (from the start). Entries whose token expired more than twice
 * the skew ago are left out, and pruned. `cursor` continues from the last entry. (The route adds an ETag: a hash of
 * the body, the same while the content is.)
 *
 * @example
 * const { body } = await listRevocations(ctx, { since: '42', limit: 100 });
 */
export async function listRevocations(ctx: AppContext, q: { since?: string; limit: number }): Promise<RevocationsPage> {
  const { storage, clock } = ctx;
  let afterSeq = 0;
  let sinceMs: number | undefined;
  if (q.since !== undefined && q.since !== '') {
    if (CURSOR.test(q.since)) afterSeq = Number(q.since);
    else if (ISO_8601.test(q.since) && onCalendar(q.since) && Number.isFinite(Date.parse(q.since))) {
      sinceMs = Date.parse(q.since);
    } else
      throw badRequest(
        'querystring.since must be a cursor from an earlier answer or an ISO-8601 time.',
        'querystring.since',
      );
  }
  // Read the counter before the page: every revocation up to it has committed, so an empty ISO page may answer it.
  const counter = sinceMs === undefined ? undefined : await currentSeq(storage.db);
  const liveAfter = recordsKeptAfter(ctx, clock.now());
  let rows = await store.revocationsPage(storage.db, { afterSeq, sinceMs, liveAfter, limit: q.limit });
  // A cursor ahead of the counter was not handed out by this database as it is now (restored from a backup, or
  // another database): answering it empty would hide every revocation until the counter passes it. Start over.
  if (rows.length === 0 && afterSeq > 0 && afterSeq > (await currentSeq(storage.db))) {
    afterSeq = 0;
    rows = await store.revocationsPage(storage.db, { afterSeq, sinceMs, liveAfter, limit: q.limit });
  }
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const cursor = String(last !== undefined ? last.seq : (counter ?? afterSeq));
  const body = {
    revoked: page.map((r) => ({
      jti: r.jti,
      revoked_at: new Date(r.revoked_at).toISOString(),
      exp: Math.floor(r.expires_at / 1000),
      reason: r.reason,
    })),
    count: page.length,
    cursor,
    has_more: rows.length > q.limit,
  };
  return { body };
}

async function currentSeq(db: Db): Promise<number> {
  const row = await translateErrors(() =>
    db.selectFrom('token_revocation_seq').select('value').where('name', '=', 'revocations').executeTakeFirst(),
  );
  return Number(row?.value ?? 0);
}

/**
 * Housekeeping, safe to run in every process at any time: deletes revocations, nonces, issued-token records and
 * proofs whose token (or window) ended more than twice the skew ago, and drops retired signing keys past their drop
 * time (every token they signed has expired), with an audit entry each.
 *
 * @example
 * setInterval(() => void pruneTokenState(ctx), 60_000).unref();
 */
export async function pruneTokenState(
  ctx: AppContext,
): Promise<{ deleted: Record<string, number>; droppedKeys: string[] }> {
  const { storage, clock } = ctx;
  const now = clock.now();
  const deleted = await store.pruneExpired(storage.db, storage.engine, recordsKeptAfter(ctx, now));
  const keyring = keyringOf(ctx);
  // Only retired keys are dropped. With none stored the keys are not loaded: loading creates the signing key, which
  // housekeeping must not do (on an app built without startServer it landed at any time, audited).
  const states = await listServerKeyStates(storage, TOKEN_KEY_PURPOSE);
  if (!states.some((s) => s.status === 'retired')) return { deleted, droppedKeys: [] };
  // Checked against the database, reloaded only if they changed: forgetting the keys every run made the next
  // verification in every process reload them (and unseal every private key) once a minute.
  const due = (await keyring.allKeys({ fresh: true }))
    .filter((k) => k.dropsAt !== null && k.dropsAt <= now)
    .map((k) => k.kid);
  const droppedKeys = await dropRetiredServerKeys(storage, TOKEN_KEY_PURPOSE, due, now);
  if (droppedKeys.length > 0) keyring.invalidate();
  return { deleted, droppedKeys };
}

/**
 * How many issued tokens have not expired yet (revoked ones included); for the web console's overview. Expired
 * records are pruned, so this is the number still recorded as live.
 *
 * @example
 * const tokens = await countIssuedTokens(ctx);
 */
export async function countIssuedTokens(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const row = await translateErrors(() =>
    ctx.storage.db
      .selectFrom('issued_tokens')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}
