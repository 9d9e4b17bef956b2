// The signatures module's service API: identity.app's signed messages (sign, look up, certify). Other modules
// (integrator consent, reputation) call these functions, never the signatures table.
import { createHmac } from 'node:crypto';
import {
  canonicalize,
  decodeBase64,
  decodeBase64url,
  encodeBase64,
  sha256HexSync,
  signedMessageText,
} from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { hitRateLimit } from '../../storage/index.ts';
import { assertAgentActive, findAgent, holdSigner, resolveAgent, verifyAgentSignature } from '../agents/service.ts';
import type { Agent } from '../agents/service.ts';
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
  /** The note the signature covers: the agent's words. */
  publicNote: string | null;
  /** A note sent with a signature that does not cover it: anyone who had the signature could have written it. */
  unverifiedNote: string | null;
  /** The agent's key (standard base64) the signature verified with; null for a record older than migration 0017. */
  signerPublicKey: string | null;
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
    unverifiedNote: row.unverified_note,
    signerPublicKey: row.signer_public_key,
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

/** The notes a submission records: its note is the agent's only if the signature covers it. */
interface Notes {
  public_note: string | null;
  unverified_note: string | null;
}

/**
 * Which notes the submission carries, or 400 `SIGNATURE_INVALID`: with a note, a signature over the note form makes
 * it the agent's; a signature over identity.app's `"<payloadHash>:<signedAt>"` alone is still accepted (seed
 * clients), but its note is only an unverified one, since whoever submits a signature first could have attached it.
 */
async function notesOf(agent: Agent, input: SignInput, signature: string): Promise<Notes> {
  const note = noteOf(input);
  if (
    note !== null &&
    (await verifyAgentSignature(agent, await signedMessageText(input.payloadHash, input.signedAt, note), signature))
  ) {
    return { public_note: note, unverified_note: null };
  }
  if (await verifyAgentSignature(agent, await signedMessageText(input.payloadHash, input.signedAt), signature)) {
    return { public_note: null, unverified_note: note };
  }
  throw new ApiError(
    'SIGNATURE_INVALID',
    note === null
      ? 'signature does not verify over "<payloadHash>:<signedAt>" with the agent\'s key.'
      : 'signature does not verify over "<payloadHash>:<signedAt>:<sha256hex(publicNote)>" (or ' +
          '"<payloadHash>:<signedAt>") with the agent\'s key.',
  );
}

/** The note a submission carries (`""` is none). */
function noteOf(input: SignInput): string | null {
  return input.publicNote === undefined || input.publicNote === '' ? null : input.publicNote;
}

/**
 * A submission whose signature is recorded already: the record again, or 409 when its note differs. The record keeps
 * the note it was sent with (as `public_note` or `unverified_note`, never both), and the same signature with the same
 * note is the same submission, so this needs no signature check.
 */
function repeatOf(row: SignatureRow, note: string | null): { signature: StoredSignature; inserted: false } {
  if ((row.public_note ?? row.unverified_note) !== note) {
    throw new ApiError('SIGNATURE_CONFLICT', 'This signature is already recorded with a different publicNote.');
  }
  return { signature: toStored(row), inserted: false };
}

/**
 * Records a signed message (`POST /api/v1/signatures/sign`). Checks, in order: the agent exists (404) and is not
 * revoked (403 `AGENT_REVOKED`); a signature recorded already answers its record (the same note) or 409
 * `SIGNATURE_CONFLICT` (another note), whenever it is retried, without touching the per-DID limit; else `signedAt`
 * is within the window (400 `SIGNED_AT_OUT_OF_WINDOW`), the signature decodes and verifies with the agent's key (400
 * `SIGNATURE_INVALID`) over `signedMessageText` (@vouch/sdk) with the note (the note is the agent's) or without it
 * (any note is recorded as unverified). A new one is inserted and counted in one transaction (429 rolls both back),
 * so only signatures that verify and were not recorded yet spend the agent's allowance: neither forgeries nor
 * replays of its public signatures, however many arrive at once.
 *
 * @example
 * const { signature } = await recordSignature(ctx, body);
 */
export async function recordSignature(
  ctx: AppContext,
  input: SignInput,
): Promise<{ signature: StoredSignature; inserted: boolean }> {
  const agent = await resolveAgent(ctx, input.did);
  assertAgentActive(agent);
  const signature = canonicalSignature(input.signature);
  const signatureHash =
    signature === undefined
      ? undefined
      : signatureHashOf({ did: agent.did, payloadHash: input.payloadHash, signedAt: input.signedAt, signature });
  // A repeat (a retry, or anyone replaying the public record) is one primary-key read, and spends nothing. It is
  // answered before the window and signature checks: a client retrying after the window closed (or after the agent
  // rotated its key) must learn that its signature was recorded, not that it was refused.
  const stored = signatureHash === undefined ? undefined : await store.findSignature(ctx.storage.db, signatureHash);
  if (stored !== undefined) return repeatOf(stored, noteOf(input));
  assertWithinWindow(ctx, input.signedAt);
  if (signature === undefined || signatureHash === undefined) {
    throw new ApiError('SIGNATURE_INVALID', 'signature must be the base64 of a 64-byte Ed25519 signature.');
  }
  const notes = await notesOf(agent, input, signature);
  const now = ctx.clock.now();
  return ctx.storage.db.transaction().execute(async (trx) => {
    // Checked outside this transaction: a revocation or key rotation committed since refuses the signature.
    await holdSigner(ctx, trx, agent);
    const { row, inserted } = await store.insertSignature(trx, {
      signature_hash: signatureHash,
      agent_id: agent.id,
      did: agent.did,
      payload_hash: input.payloadHash,
      signature,
      signed_at: input.signedAt,
      ...notes,
      // The key it verified with: once the agent rotates, only this one checks it (holdSigner keeps it current here).
      signer_public_key: agent.publicKey,
      created_at: now,
    });
    // An identical submission committed between the read and the insert: it counted, this one does not.
    if (!inserted) return repeatOf(row, noteOf(input));
    const hit = await hitRateLimit(trx, `signatures.sign|${agent.id}`, ctx.config.rateLimitWindowMs, now);
    if (hit.count > ctx.config.signatureRateLimits.sign) {
      const seconds = String(Math.max(1, Math.ceil((hit.resetAtMs - now) / 1000)));
      throw new ApiError('RATE_LIMITED', 'This agent has recorded too many signatures; retry after Retry-After.', {
        headers: { 'retry-after': seconds },
      });
    }
    return { signature: toStored(row), inserted: true };
  });
}

/** How long one client address key's certification of one signature counts once: a UTC day. */
const CERTIFIER_WINDOW_MS = 86_400_000;

/**
 * A keyed digest naming one client address key for one signature, so repeats can be told apart without storing the
 * address. Keyed with the KEK (every process shares it), so an IPv4 address cannot be found by trying all 2^32; the
 * signature hash in the input keeps one address's certifications of different signatures unlinkable. Still `v1`:
 * IPv4 keys are the addresses digested before, so their day's markers hold across the change to /64 keys.
 */
function certifierDigest(ctx: AppContext, signatureHash: string, addressKey: string): string {
  return createHmac('sha256', ctx.kek).update(`vouch-certifier-v1:${signatureHash}:${addressKey}`).digest('hex');
}

/**
 * Compares `contentHash` (64 hex, any case) with the signature's payload hash. A match adds one certification, at
 * most one per client address key (`clientAddressKey`: an IPv6 client is its /64) per signature per UTC day (the
 * day's marker and the count change in one transaction); a repeat answers the count unchanged. Throws 404 for an
 * unknown signature hash.
 *
 * @example
 * const { match, signature } = await certifySignature(ctx, hash, sha256HexSync(content), clientAddressKey(req.ip));
 */
export async function certifySignature(
  ctx: AppContext,
  signatureHash: string,
  contentHash: string,
  addressKey: string,
): Promise<{ match: boolean; signature: StoredSignature; signerStatus: Agent['status'] }> {
  const found = await findSignature(ctx, signatureHash);
  if (found === undefined) throw new ApiError('NOT_FOUND', 'No signature has this hash.');
  // Agents are never deleted, so the signer is found; were it missing, it would answer for nothing (revoked).
  const signerStatus = (await findAgent(ctx, found.agentId))?.status ?? 'revoked';
  // Both are public digests of the same length: a plain comparison leaks nothing worth a constant-time one.
  const match = contentHash.toLowerCase() === found.payloadHash;
  if (!match) return { match, signature: found, signerStatus };
  const bucket = `signatures.certify|${signatureHash}|${certifierDigest(ctx, signatureHash, addressKey)}`;
  const now = ctx.clock.now();
  const count = await ctx.storage.db.transaction().execute(async (trx) => {
    const hit = await hitRateLimit(trx, bucket, CERTIFIER_WINDOW_MS, now);
    // The rate_limits row is the day's marker: pruned once the day is over, never read back as an address.
    return hit.count > 1 ? undefined : store.incrementCertifications(trx, signatureHash);
  });
  return { match, signature: { ...found, certificationCount: count ?? found.certificationCount }, signerStatus };
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
