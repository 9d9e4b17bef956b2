// The callers this module introduces: `owner` (owner API key), `management-token` (one agent's bearer token) and
// `agent-signature` (a request signed with the agent's own Ed25519 key), plus the per-resource checks handlers make.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  canonicalize,
  constantTimeEqual,
  decodeBase64,
  sha256HexSync,
  signedRequestString,
  VouchError,
} from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { publicPathOf } from '../../config.ts';
import type { Engine } from '../../storage/index.ts';
import { ApiError } from '../../errors.ts';
import { SERVER_SIDE_SDK_CODES } from '../../http/error-handler.ts';
import type { Authenticator, Authenticators, Principal } from '../../http/policy.ts';
import { adminActorOf } from '../../http/admin-auth.ts';
import { recentKeysOf } from '../../http/recent-keys.ts';
import { bearerSecret, hashSecret } from '../../http/secrets.ts';
import { didOf, SECRET_PREFIX } from './ids.ts';
import { parseAgentRef, toAgent, verifyAgentSignature } from './service.ts';
import * as store from './store.ts';
import type { AgentRow, Db } from './store.ts';

/** How far `X-Vouch-Signed-At` may be from the server's clock, either way. */
export const SIGNED_REQUEST_WINDOW_MS = 5 * 60_000;

/** The headers of an agent-signed request. */
export const SIGNED_REQUEST_HEADERS = {
  agent: 'x-vouch-agent',
  signedAt: 'x-vouch-signed-at',
  contentSha256: 'x-vouch-content-sha256',
  signature: 'x-vouch-signature',
} as const;

// The string an agent signs for a request is the SDK's `signedRequestString` (one definition for both sides).

/** SHA-256 hex of the RFC 8785 form of a JSON body; of the empty string when there is no body (or JSON `null`). */
export function contentSha256(body: unknown): string {
  return sha256HexSync(body === undefined || body === null ? '' : canonicalize(body));
}

// What the new key signs to accept a rotation (the old key signs the whole request) is the SDK's
// `keyRotationStatement`, `vouch-rotate-key-v1:<did>:<old key base64>:<new key base64>:<signedAt ms>` with the
// request's signedAt: the SDK's VouchAgent.rotateKey signs the very string checked here.
export { keyRotationStatement as rotationStatement } from '@vouch/sdk';

// What a key's holder signs to prove possession when registering it (optional; see docs/PROTOCOL.md) is the SDK's
// `registrationStatement`, `vouch-register-v1:<VOUCH_PUBLIC_URL>:<key base64>:<signedAt ms>`: the SDK and the CLI
// sign the very string checked here.
export { registrationStatement } from '@vouch/sdk';

interface SignedRequest {
  agentId: string;
  /** The agent's key the signature verified with (standard base64): it must still be current when the request acts. */
  publicKey: string;
  signedAt: number;
  contentHash: string;
  /** SHA-256 hex of the signature bytes: the replay-guard key. */
  signatureDigest: string;
  /** The clock skew (ms): a used request's record outlives its window by this much (see consumeSignedRequest). */
  skewMs: number;
}

// Filled by the agent-signature authenticator (onRequest, before the body is read) and checked once the body is
// parsed (preValidation) and when the handler acts (replay guard). Keyed by request, so nothing outlives it.
const signedRequests = new WeakMap<FastifyRequest, SignedRequest>();

// The signed requests whose parsed body was found to hash to the signed value (installSignedBodyCheck). Only these
// are the signed request: a refusal before that point (a body that is not JSON, too large, of a type not parsed)
// answered other bytes sent under its headers.
const bodiesHeld = new WeakSet<FastifyRequest>();

// The SHA-256 of the bearer secret (owner API key or management token) that authenticated a request, so the
// transaction that acts on it can check the secret is still live (see holdCredential).
const bearerHashes = new WeakMap<FastifyRequest, { caller: 'owner' | 'management-token'; hash: string }>();

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 1024 ? v : undefined;
}

/**
 * `owner`: `Authorization: Bearer <owner API key>`, looked up by its SHA-256 and compared in constant time. A key
 * that authenticated is held in the app's recent owner keys (and dropped when it fails to), which `recognize`
 * reads so that the policy counts it in its owner's rate-limit bucket.
 */
export function ownerAuthenticator(ctx: AppContext): Authenticator {
  const recent = recentKeysOf(ctx).owner;
  const lookup = async (req: FastifyRequest, key: string): Promise<Principal | null> => {
    const hash = hashSecret(key);
    const row = await store.findOwnerApiKey(ctx.storage.db, hash);
    // The index finds the row by hash; the stored hash is still compared in constant time before it is trusted.
    if (row === undefined || !constantTimeEqual(row.key_hash, hash)) {
      recent.forget(hash); // revoked in another process: from now on counted per address
      return null;
    }
    recent.remember(hash, row.owner_id);
    bearerHashes.set(req, { caller: 'owner', hash });
    return { caller: 'owner', id: row.owner_id };
  };
  // No owner key in the request: answered at once, without a promise (public routes ask on every request).
  const authenticate = (req: FastifyRequest): Principal | null | Promise<Principal | null> => {
    const key = bearerSecret(req, SECRET_PREFIX.ownerApiKey);
    return key === undefined ? null : lookup(req, key);
  };
  return Object.assign(authenticate, {
    recognize: (req: FastifyRequest): string | undefined => {
      const key = bearerSecret(req, SECRET_PREFIX.ownerApiKey);
      return key === undefined ? undefined : recent.idOf(hashSecret(key));
    },
  });
}

/**
 * `management-token`: `Authorization: Bearer <management token>`; the principal is the one agent's DID. A token that
 * authenticated is held in the app's recent management tokens (and dropped when it fails to), which `recognize`
 * reads so that the policy counts it in its agent's rate-limit bucket.
 */
export function managementTokenAuthenticator(ctx: AppContext): Authenticator {
  const recent = recentKeysOf(ctx).managementToken;
  const lookup = async (req: FastifyRequest, token: string): Promise<Principal | null> => {
    const hash = hashSecret(token);
    const row = await store.findManagementToken(ctx.storage.db, hash);
    if (row === undefined || !constantTimeEqual(row.token_hash, hash)) {
      recent.forget(hash); // revoked in another process: from now on counted per address
      return null;
    }
    const did = didOf(row.agent_id);
    recent.remember(hash, did);
    bearerHashes.set(req, { caller: 'management-token', hash });
    return { caller: 'management-token', id: did };
  };
  const authenticate = (req: FastifyRequest): Principal | null | Promise<Principal | null> => {
    const token = bearerSecret(req, SECRET_PREFIX.managementToken);
    return token === undefined ? null : lookup(req, token);
  };
  return Object.assign(authenticate, {
    recognize: (req: FastifyRequest): string | undefined => {
      const token = bearerSecret(req, SECRET_PREFIX.managementToken);
      return token === undefined ? undefined : recent.idOf(hashSecret(token));
    },
  });
}

/**
 * `agent-signature`: the agent signs {@link signedRequestString} with its current key and sends
 * `X-Vouch-Agent` (DID or id), `X-Vouch-Signed-At` (ms, within ±5 min), `X-Vouch-Content-SHA256` (of the RFC 8785
 * body) and `X-Vouch-Signature` (standard base64). The signature is checked here, before the body is read; the
 * body is then held to the signed hash by {@link installSignedBodyCheck}, and each signed request acts once
 * ({@link consumeSignedRequest}). The principal's id is the DID.
 */
export function agentSignatureAuthenticator(ctx: AppContext): Authenticator {
  // VOUCH_PUBLIC_URL's path (`''` at the root): a reverse proxy strips it before the request reaches the server's
  // routes, and a client whose base URL includes it signs the path it sent (docs/PROTOCOL.md). From the
  // configuration only, never from request headers.
  const prefix = publicPathOf(ctx.config);
  return async (req) => {
    const ref = header(req, SIGNED_REQUEST_HEADERS.agent);
    const at = header(req, SIGNED_REQUEST_HEADERS.signedAt);
    const contentHash = header(req, SIGNED_REQUEST_HEADERS.contentSha256);
    const signature = header(req, SIGNED_REQUEST_HEADERS.signature);
    if (ref === undefined || at === undefined || contentHash === undefined || signature === undefined) return null;
    if (!/^[0-9]{1,15}$/.test(at) || !/^[0-9a-f]{64}$/.test(contentHash)) return null;
    const signedAt = Number(at);
    if (Math.abs(ctx.clock.now() - signedAt) > SIGNED_REQUEST_WINDOW_MS) return null;
    const by = parseAgentRef(ref);
    if (by === undefined || !('id' in by)) return null; // a DID or internal id, never a (reassignable) slug
    const row = await store.findAgentById(ctx.storage.db, by.id);
    if (row === undefined || row.public_key === null) return null;
    // The path as sent through the proxy, else as it arrived (a client that reaches the server directly). Either
    // way the replay guard keys on the signature's bytes: one signature is one request, whichever path it names.
    const signs = (path: string) =>
      verifyAgentSignature(toAgent(row), signedRequestString(req.method, path, signedAt, contentHash), signature);
    // A stored key the SDK now refuses (small order, stored before the refusal) verifies nothing
    // (verifyAgentSignature), so it authenticates no one.
    if (!((prefix !== '' && (await signs(`${prefix}${req.url}`))) || (await signs(req.url)))) return null;
    signedRequests.set(req, {
      agentId: row.id,
      publicKey: row.public_key,
      signedAt,
      contentHash,
      signatureDigest: sha256HexSync(decodeBase64(signature)),
      skewMs: ctx.config.clockSkewSeconds * 1000,
    });
    return { caller: 'agent-signature', id: didOf(row.id) };
  };
}

/**
 * Who acted, for the audit log: `admin` (`admin:previous` with VOUCH_ADMIN_KEY_PREVIOUS), `owner:<id>` or
 * `agent:<did>`. Never a secret.
 */
export function actorOf(p: Principal): string {
  if (p.caller === 'admin') return adminActorOf(p);
  if (p.caller === 'owner') return `owner:${p.id}`;
  return `agent:${p.id}`;
}

/** The authenticators this module contributes to the router. */
export function agentAuthenticators(ctx: AppContext): Authenticators {
  return {
    owner: ownerAuthenticator(ctx),
    'management-token': managementTokenAuthenticator(ctx),
    'agent-signature': agentSignatureAuthenticator(ctx),
  };
}

/**
 * Holds every agent-signed request's parsed body to the hash its signature covers, before validation and before
 * any handler runs; a mismatch is 401 and nothing is written. Installed once, for every route of every module.
 */
export function installSignedBodyCheck(app: FastifyInstance): void {
  // Callback style: it runs before every route's validation, and does nothing for most requests.
  app.addHook('preValidation', (req, _reply, done) => {
    const signed = signedRequests.get(req);
    if (signed === undefined || req.principal?.caller !== 'agent-signature') return done();
    if (!constantTimeEqual(contentSha256(req.body), signed.contentHash)) {
      return done(new ApiError('UNAUTHORIZED', 'The request body does not match the signed X-Vouch-Content-SHA256.'));
    }
    bodiesHeld.add(req);
    done();
  });
}

/** The verified details of this request's agent signature, if it was authenticated by one. */
export function signedRequestOf(req: FastifyRequest): Readonly<SignedRequest> | undefined {
  return req.principal?.caller === 'agent-signature' ? signedRequests.get(req) : undefined;
}

/**
 * Marks this request's agent signature as used, inside the transaction that acts on it; a second use within the
 * signing window throws `REQUEST_REPLAYED` (409) and the transaction rolls back. A request whose window closed
 * before it acted (headers in time, body late) is 401: its first use's record may already be pruned, so only the
 * window keeps it from acting twice. Records are pruned only once their window closed more than the clock skew ago:
 * another process whose clock lags this one's by up to the skew still accepts the request, and must find its record.
 * No-op for other callers.
 */
export async function consumeSignedRequest(db: Db, req: FastifyRequest, now: number): Promise<void> {
  const signed = signedRequestOf(req);
  if (signed === undefined) return;
  if (!withinWindow(signed, now)) {
    throw new ApiError('UNAUTHORIZED', 'The signed request arrived after its X-Vouch-Signed-At window closed.');
  }
  if (!(await recordUsed(db, signed, now))) {
    throw new ApiError('REQUEST_REPLAYED', 'This signed request has already been used.');
  }
}

function withinWindow(signed: SignedRequest, now: number): boolean {
  return now <= signed.signedAt + SIGNED_REQUEST_WINDOW_MS;
}

/** Records a signed request as used until its window closes; false when it was used before. */
function recordUsed(db: Db, signed: SignedRequest, now: number): Promise<boolean> {
  const closes = signed.signedAt + SIGNED_REQUEST_WINDOW_MS;
  return store.consumeSignedRequest(db, signed.signatureDigest, signed.agentId, closes, now - signed.skewMs);
}

/**
 * 409 `CONFLICT` that says nothing of the request: the handler read one state and its transaction found another (a
 * change made meanwhile), and the answer asks for the same request again. An agent-signed request refused so is not
 * used up ({@link refusesForGood}): the retry asked for is the same signed bytes, which act at most once still.
 */
export class ChangedMeanwhileError extends ApiError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/**
 * Whether `err` refuses a signed request for good: a 4xx that says "this request, as signed, does not act" (a
 * conflict, a refusal, invalid input). Not a 401 (a body that does not match the signature is someone else's bytes,
 * and a key rotated away or a window closed already keeps it from acting), 408 or 429 (retry), a change made
 * meanwhile ({@link ChangedMeanwhileError}: retry), a replay (already used), nor a server fault.
 */
function refusesForGood(err: unknown): boolean {
  let status: number | undefined;
  if (err instanceof ChangedMeanwhileError) status = undefined;
  else if (err instanceof ApiError) status = err.code === 'REQUEST_REPLAYED' ? undefined : err.statusCode;
  else if ((err as { validation?: unknown[] } | null)?.validation !== undefined) status = 400;
  else if (err instanceof VouchError && !SERVER_SIDE_SDK_CODES.has(err.code)) status = 400;
  return status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/**
 * Uses up an agent-signed request refused for good ({@link refusesForGood}). Its transaction rolled back, taking the
 * used-request record with it, so the same bytes could otherwise act within their window once the state that
 * refused them changed (a slug freed). Only once its body was held to the signed hash: a refusal before that (a
 * body that does not parse, is too large or of a type not read) answered other bytes sent under the same headers,
 * which whoever saw the headers could send first. Runs only on errors, in a statement of its own; a failure to
 * record is logged, and the refusal still answers.
 */
export function installRefusedRequestConsumption(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onError', async (req, _reply, err) => {
    const signed = signedRequestOf(req);
    if (signed === undefined || !bodiesHeld.has(req) || !refusesForGood(err)) return;
    const now = ctx.clock.now();
    if (!withinWindow(signed, now)) return;
    try {
      await recordUsed(ctx.storage.db, signed, now);
    } catch (e) {
      req.log.warn({ err: { message: (e as Error).message } }, 'could not record a refused signed request as used');
    }
  });
}

/**
 * Housekeeping, safe to run in every process at any time: drops the used-request records of every agent whose window
 * closed more than the clock skew ago, the rule {@link consumeSignedRequest} applies to the signing agent's own.
 * Without it an agent that stops signing keeps its last window of records.
 *
 * @example
 * setInterval(() => void pruneSignedRequests(ctx), 60_000).unref();
 */
export function pruneSignedRequests(ctx: AppContext): Promise<number> {
  const { storage, clock, config } = ctx;
  return store.pruneSignedRequests(storage.db, storage.engine, clock.now() - config.clockSkewSeconds * 1000);
}

/**
 * Inside the transaction that acts on a request, holds the request's credential to what it was when the request
 * was authenticated: an agent signature must still be by the agent's current key (401 otherwise) and is consumed
 * ({@link consumeSignedRequest}); an owner API key or management token must still be live (401 otherwise). What is
 * checked is share-locked on PostgreSQL, so that a revocation (a rotation) either committed first and is seen here,
 * or waits until this transaction ends. The admin key is not revocable. Take the agent's row first where the
 * transaction changes the agent ({@link holdAgentAndCredential}).
 */
export async function holdCredential(db: Db, engine: Engine, req: FastifyRequest, now: number): Promise<void> {
  const signed = signedRequestOf(req);
  // A key rotated away since the signature was checked is refused like a revoked secret: the rotation is the
  // recovery from a stolen key, and the thief's requests in flight must not act after it.
  if (
    signed !== undefined &&
    (await store.agentStateHeld(db, engine, signed.agentId))?.public_key !== signed.publicKey
  ) {
    throw new ApiError('UNAUTHORIZED', "The agent's key was rotated while the request was being handled.");
  }
  await consumeSignedRequest(db, req, now);
  const caller = req.principal?.caller;
  if (caller !== 'owner' && caller !== 'management-token') return;
  const bearer = bearerHashes.get(req);
  const live =
    bearer !== undefined &&
    bearer.caller === caller &&
    (caller === 'owner'
      ? await store.ownerApiKeyLiveHeld(db, engine, bearer.hash)
      : await store.managementTokenLiveHeld(db, engine, bearer.hash));
  if (!live) throw new ApiError('UNAUTHORIZED', 'This credential was revoked while the request was being handled.');
}

/**
 * Inside a transaction that changes an agent on a request: locks the agent's row (PostgreSQL), then holds the
 * request's credential ({@link holdCredential}), and answers the row as locked (undefined if it is gone). Always in
 * this order, the order of a management token's rotation (the agent's row, then its tokens): holding the token
 * first let a change and a rotation each wait for the other, a deadlock PostgreSQL ended with a 500.
 */
export async function holdAgentAndCredential(
  db: Db,
  engine: Engine,
  req: FastifyRequest,
  agentId: string,
  now: number,
): Promise<AgentRow | undefined> {
  const row = await store.lockAgent(db, engine, agentId);
  await holdCredential(db, engine, req, now);
  return row;
}

/**
 * Inside a transaction that writes for an owner on a request (a claim, a linking key): takes the owner's row
 * (PostgreSQL), then holds the request's credential ({@link holdCredential}). In this order, the order of an owner's
 * key rotation (the owner's row, then its keys): the row is referenced by what the transaction writes, so taking it
 * only then, after the key, let a write and a rotation each wait for the other. Throws `NOT_FOUND` without the owner.
 */
export async function holdOwnerAndCredential(
  db: Db,
  engine: Engine,
  req: FastifyRequest,
  ownerId: string,
  now: number,
): Promise<void> {
  if (!(await store.holdOwner(db, engine, ownerId))) throw new ApiError('NOT_FOUND', 'This owner no longer exists.');
  await holdCredential(db, engine, req, now);
}

/**
 * Throws `FORBIDDEN` unless `principal` may manage `agent`: the admin, the agent's owner, its management token, or
 * the agent itself (agent signature). Which of these a route admits at all is its policy's business.
 */
export function assertMayManage(principal: Principal | null, agent: Pick<AgentRow, 'id' | 'owner_id'>): void {
  if (principal !== null && mayManage(principal, agent)) return;
  throw new ApiError('FORBIDDEN', 'These credentials do not allow changing this agent.');
}

function mayManage(principal: Principal, agent: Pick<AgentRow, 'id' | 'owner_id'>): boolean {
  switch (principal.caller) {
    case 'admin':
      return true;
    case 'owner':
      return agent.owner_id !== null && principal.id === agent.owner_id;
    case 'management-token':
    case 'agent-signature':
      return principal.id === didOf(agent.id);
    default:
      return false;
  }
}
