// What `GET /api/v1/signatures/verify` answers (and the signature page shows): a recorded signature with its agent,
// owner, reputation and how to check content against it, in identity.app's shape.
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import type { Principal } from '../../http/policy.ts';
import { findAgent, getAgentOwner } from '../agents/service.ts';
import { publicAgentCard, publicOwnerCard } from '../agents/public-card.ts';
import type { PublicAgentCard, PublicOwnerCard } from '../agents/public-card.ts';
import { getConsentStatus } from '../integrators/service.ts';
import { getGlobalScore } from '../reputation/service.ts';
import { countSignatures } from './service.ts';
import type { StoredSignature } from './service.ts';

export interface IntegratorConsent {
  integratorSlug: string;
  status: 'allowed' | 'revoked' | 'none';
}

export interface SignatureView {
  /** Always true for a recorded signature (it verified when recorded); `agent.status` tells whether it is revoked. */
  valid: true;
  signatureHash: string;
  signedAt: number;
  payloadHash: string;
  /** The agent's note: the signature covers it (null when none). */
  publicNote: string | null;
  /** A note the signature does not cover, so not the agent's words: whoever first submitted the signature chose it. */
  unverifiedNote: string | null;
  /**
   * The Ed25519 signature (standard base64), to check offline: over `"<payloadHash>:<signedAt>"`, or over
   * `"<payloadHash>:<signedAt>:<sha256hex(publicNote)>"` when `publicNote` is set.
   */
  signature: string;
  /**
   * The agent's key (standard base64) that made the signature, which `agent.publicKey` (the current key) is not once
   * the agent has rotated; null for a signature recorded before it was kept (check with the current key then).
   */
  signerPublicKey: string | null;
  agent: PublicAgentCard;
  owner: PublicOwnerCard | null;
  reputation: { score: number; totalSignatures: number };
  verification: {
    instructions: string;
    algorithm: 'SHA-256';
    encoding: 'hex';
    payloadHash: string;
    verifyUrl: string;
    certifyUrl: string;
    learnMore: string;
  };
  /** Certify matches, at most one per client address per signature per UTC day (anyone with payloadHash can). */
  certificationCount: number;
  integratorConsent?: IntegratorConsent;
}

/** The agent's consent for the calling integrator, when the caller presented an integrator key; else undefined. */
export async function consentFor(
  ctx: AppContext,
  principal: Principal | null,
  agentId: string,
): Promise<IntegratorConsent | undefined> {
  if (principal?.caller !== 'integrator') return undefined;
  return { integratorSlug: principal.id, status: await getConsentStatus(ctx, principal.id, agentId) };
}

/** `<VOUCH_PUBLIC_URL>/verify/<signatureHash>`: identity.app's `verifyUrl`, the signature page. */
export function signatureVerifyUrl(ctx: AppContext, signatureHash: string): string {
  return `${ctx.config.publicUrl}/verify/${signatureHash}`;
}

/**
 * The verify answer for a recorded signature; `principal` adds `integratorConsent` for an integrator caller.
 *
 * @example
 * const view = await signatureView(ctx, await findSignature(ctx, hash), req.principal);
 */
export async function signatureView(
  ctx: AppContext,
  sig: StoredSignature,
  principal: Principal | null,
): Promise<SignatureView> {
  const agent = await findAgent(ctx, sig.agentId);
  if (agent === undefined) throw new ApiError('NOT_FOUND', 'No signature has this hash.');
  const [owner, totalSignatures, score, consent] = await Promise.all([
    getAgentOwner(ctx, agent),
    countSignatures(ctx, agent.id),
    getGlobalScore(ctx, agent.id),
    consentFor(ctx, principal, agent.id),
  ]);
  const view: SignatureView = {
    valid: true,
    signatureHash: sig.signatureHash,
    signedAt: sig.signedAt,
    payloadHash: sig.payloadHash,
    publicNote: sig.publicNote,
    unverifiedNote: sig.unverifiedNote,
    signature: sig.signature,
    signerPublicKey: sig.signerPublicKey,
    agent: publicAgentCard(agent),
    owner: publicOwnerCard(owner),
    reputation: { score, totalSignatures },
    verification: {
      instructions:
        'Compute the SHA-256 of the original content, hex-encoded, and compare it with payloadHash; or POST ' +
        '{signatureHash, contentHash} to certifyUrl. The signature is Ed25519 (standard base64) by the agent ' +
        'over the UTF-8 string "<payloadHash>:<signedAt>", or "<payloadHash>:<signedAt>:<SHA-256 hex of ' +
        'publicNote>" when publicNote is set, made with signerPublicKey (the agent\'s key when it signed); ' +
        "unverifiedNote is not covered and may not be the agent's. " +
        'certificationCount counts certify matches, at most one per client address per day: payloadHash is ' +
        'public, so it does not show that anyone holds the content.',
      algorithm: 'SHA-256',
      encoding: 'hex',
      payloadHash: sig.payloadHash,
      verifyUrl: signatureVerifyUrl(ctx, sig.signatureHash),
      certifyUrl: `${ctx.config.publicUrl}/api/v1/signatures/certify`,
      learnMore: `${ctx.config.publicUrl}/docs`,
    },
    certificationCount: sig.certificationCount,
  };
  if (consent !== undefined) view.integratorConsent = consent;
  return view;
}
