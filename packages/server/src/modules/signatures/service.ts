// The signatures module's service API: identity.app's signed messages (sign, look up, certify). Other modules
// (integrator consent, reputation) call these functions, never the signatures table.
import { canonicalize, decodeBase64, decodeBase64url, encodeBase64, sha256HexSync } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { hitRateLimit } from '../../storage/index.ts';
import { assertAgentActive, resolveAgent, verifyAgentSignature } from '../agents/service.ts';
import * as store from './store.ts';
import type { SignatureRow } from './store.ts';

/** A recorded signature as other modules see it. Times are ms since the epoch. */
export interface StoredSignature {
  signatureHash: string;
  agentId: string;
  did: string;
  payloadHash: string;
  /** Standard base64 (with padding) of the 64-byte Ed25519 signature. */
  signature: string;
  signedAt: number;
  publicNote: string | null;
  createdAt: number;
  certificationCount: number;
}

/** What `POST /api/v1/signatures/sign` takes. */
export interface SignInput {
  did: string;
  payloadHash: string;
  signature: string;
  signedAt: number;
  publicNote?: string;
}

export const SIGNATURE_HASH_PATTERN = /^[0-9a-f]{64}$/;

function toStored(row: SignatureRow): StoredSignature {
  return {
    signatureHash: row.signature_hash,
    agentId: row.agent_id,
    did: row.did,
    payloadHash: row.payload_hash,
    signature: row.signature,
    signedAt: Number(row.signed_at),
    publicNote: row.public_note,
    createdAt: Number(row.created_at),
    certificationCount: Number(row.certification_count),
  };
}

/**
 * The signature recorded under `signatureHash`, or undefined (also for anything that is not 64 lowercase hex).
 *
 * @example
 * const sig = await findSignature(ctx, body.signatureHash);
 * if (sig === undefined || sig.agentId !== agent.id) throw new ApiError('NOT_FOUND', '...');
 */
export async function findSignature(ctx: AppContext, signatureHash: string): Promise<StoredSignature | undefined> {
  if (typeof signatureHash !== 'string' || !SIGNATURE_HASH_PATTERN.test(signatureHash)) return undefined;
  const row = await store.findSignature(ctx.storage.db, signatureHash);
  return row === undefined ? undefined : toStored(row);
}

/**
 * How many signatures the agent (internal id) has recorded.
 *
 * @example
 * await countSignatures(ctx, agent.id); // 3
 */
export async function countSignatures(ctx: AppContext, agentId: string): Promise<number> {
  return store.countSignaturesOfAgent(ctx.storage.db, agentId);
}

/**
 * The canonical standard base64 of a 64-byte Ed25519 signature given as strict standard base64 or strict base64url;
 * undefined for anything else.
 */
export function canonicalSignature(input: string): string | undefined {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(input);
  } catch {
    try {
      bytes = decodeBase64url(input);
    } catch {
      return undefined;
    }
  }
  return bytes.length === 64 ? encodeBase64(bytes) : undefined;
}

/**
 * identity.app's signature hash: SHA-256 hex of the RFC 8785 JSON of `{did, payloadHash, signedAt, signature}`,
 * `signature` in canonical standard base64.
 *
 * @example
 * signatureHashOf({ did, payloadHash, signedAt: 1700000000000, signature: 'q83v...==' }); // 64 hex
 */
export function signatureHashOf(fields: {
  did: string;
  payloadHash: string;
  signedAt: number;
  signature: string;
}): string {
  return sha256HexSync(
    canonicalize({
      did: fields.did,
      payloadHash: fields.payloadHash,
      signedAt: fields.signedAt,
      signature: fields.signature,
    }),
  );
}

/**
 * Throws 400 `SIGNED_AT_OUT_OF_WINDOW` unless `signedAt` (ms) is within `VOUCH_SIGNATURE_WINDOW` of server time,
 * either way (the edge itself is inside).
 */
export function assertWithinWindow(ctx: AppContext, signedAt: number, field = 'signedAt'): void {
  const windowMs = ctx.config.signatureWindowSeconds * 1000;
  if (Math.abs(ctx.clock.now() - signedAt) > windowMs) {
    throw new ApiError(
      'SIGNED_AT_OUT_OF_WINDOW',
      `${field} must be within ${ctx.config.signatureWindowSeconds} seconds of the server's time.`,
    );
  }
}

/**
 * Records a signed message (`POST /api/v1/signatures/sign`). Checks, in order: the agent exists (404) and is not
 * revoked (403 `AGENT_REVOKED`), `signedAt` is within the window (400 `SIGNED_AT_OUT_OF_WINDOW`), the signature
 * decodes (400 `SIGNATURE_INVALID`) and verifies over `"<payloadHash>:<signedAt>"` with the agent's key (400
 * `SIGNATURE_INVALID`), then the per-DID limit (429; counted only for valid signatures, so nobody can spend an
 * agent's allowance with forgeries). The same submission again returns the stored record; the same signature with
 * another note is 409 `SIGNATURE_CONFLICT`.
 *
 * @example
 * const { signatureHash } = await recordSignature(ctx, body);
 */
export async function recordSignature(
  ctx: AppContext,
  input: SignInput,
): Promise<{ signature: StoredSignature; inserted: boolean }> {
  const agent = await resolveAgent(ctx, input.did);
  assertAgentActive(agent);
  assertWithinWindow(ctx, input.signedAt);
  const signature = canonicalSignature(input.signature);
  if (signature === undefined) {
    throw new ApiError('SIGNATURE_INVALID', 'signature must be the base64 of a 64-byte Ed25519 signature.');
  }
  if (!(await verifyAgentSignature(agent, `${input.payloadHash}:${input.signedAt}`, signature))) {
    throw new ApiError(
      'SIGNATURE_INVALID',
      'signature does not verify over "<payloadHash>:<signedAt>" with the agent\'s key.',
    );
  }
  const now = ctx.clock.now();
  const windowMs = ctx.config.rateLimitWindowMs;
  const hit = await hitRateLimit(ctx.storage.db, `signatures.sign|${agent.id}`, windowMs, now);
  if (hit.count > ctx.config.signatureRateLimits.sign) {
    const seconds = String(Math.max(1, Math.ceil((hit.resetAtMs - now) / 1000)));
    throw new ApiError('RATE_LIMITED', 'This agent has recorded too many signatures; retry after Retry-After.', {
      headers: { 'retry-after': seconds },
    });
  }
  const publicNote = input.publicNote === undefined || input.publicNote === '' ? null : input.publicNote;
  const signatureHash = signatureHashOf({
    did: agent.did,
    payloadHash: input.payloadHash,
    signedAt: input.signedAt,
    signature,
  });
  const { row, inserted } = await store.insertSignature(ctx.storage.db, {
    signature_hash: signatureHash,
    agent_id: agent.id,
    did: agent.did,
    payload_hash: input.payloadHash,
    signature,
    signed_at: input.signedAt,
    public_note: publicNote,
    created_at: now,
  });
  if (!inserted && row.public_note !== publicNote) {
    throw new ApiError('SIGNATURE_CONFLICT', 'This signature is already recorded with a different publicNote.');
  }
  return { signature: toStored(row), inserted };
}

/**
 * Compares `contentHash` (64 hex, any case) with the signature's payload hash; a match adds one certification.
 * Throws 404 for an unknown signature hash.
 *
 * @example
 * const { match, signature } = await certifySignature(ctx, hash, sha256HexSync(content));
 */
export async function certifySignature(
  ctx: AppContext,
  signatureHash: string,
  contentHash: string,
): Promise<{ match: boolean; signature: StoredSignature }> {
  const found = await findSignature(ctx, signatureHash);
  if (found === undefined) throw new ApiError('NOT_FOUND', 'No signature has this hash.');
  // Both are public digests of the same length: a plain comparison leaks nothing worth a constant-time one.
  const match = contentHash.toLowerCase() === found.payloadHash;
  if (!match) return { match, signature: found };
  const count = await store.incrementCertifications(ctx.storage.db, signatureHash);
  return { match, signature: { ...found, certificationCount: count ?? found.certificationCount + 1 } };
}

/**
 * How many signatures are recorded, by every agent; for the web console's overview.
 *
 * @example
 * const signatures = await countAllSignatures(ctx);
 */
export async function countAllSignatures(ctx: AppContext): Promise<number> {
  return store.countSignatures(ctx.storage.db);
}
