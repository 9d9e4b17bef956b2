// The secrets and proofs this module hands out or checks on the way in: management tokens (issued, replaced), the
// optional proof of possession of a registered key. (Answers carrying a secret are no-store: the app-wide default.)
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { announceKeysDropped, recentKeysOf } from '../../http/recent-keys.ts';
import { hashSecret } from '../../http/secrets.ts';
import { registrationStatement, SIGNED_REQUEST_WINDOW_MS } from './auth.ts';
import { didOf, newSecret, SECRET_PREFIX } from './ids.ts';
import { verifyAgentSignature } from './service.ts';
import * as store from './store.ts';
import type { Db } from './store.ts';

/** Issues a management token for the agent inside `trx`; the secret is returned once and stored as its SHA-256. */
export async function issueManagementToken(trx: Db, agentId: string, now: number): Promise<string> {
  const token = newSecret(SECRET_PREFIX.managementToken);
  await store.insertManagementToken(trx, hashSecret(token), agentId, now);
  return token;
}

/**
 * Revokes the agent's live management tokens inside `trx` and issues a fresh one when it had any (or `always`).
 * Call it with the agent's row locked (a key rotation's update, or {@link store.lockAgent}), so that two
 * replacements take turns and one live token is left. The revocation is announced to the other processes as `trx`
 * commits ({@link announceManagementTokensDropped}); forget them here with {@link forgetManagementTokens} once it did.
 */
export async function replaceManagementToken(
  ctx: AppContext,
  trx: Db,
  agentId: string,
  now: number,
  always: boolean,
): Promise<{ token: string | undefined; revoked: number }> {
  const revoked = await store.revokeManagementTokens(trx, agentId, now);
  if (revoked > 0) await announceManagementTokensDropped(ctx, trx, agentId);
  const token = revoked > 0 || always ? await issueManagementToken(trx, agentId, now) : undefined;
  return { token, revoked };
}

/**
 * Inside a transaction that revokes the agent's management tokens (or the agent): every other process forgets them
 * as it commits (PostgreSQL; storage/changes.ts), so they lose the agent's rate-limit bucket there too.
 */
export async function announceManagementTokensDropped(ctx: AppContext, trx: Db, agentId: string): Promise<void> {
  await announceKeysDropped(trx, ctx, 'management-token', didOf(agentId));
}

/**
 * Once a transaction that revoked the agent's management tokens (or the agent) committed: they lose the agent's
 * rate-limit bucket here at once (other processes' as the announcement reaches them), and `fresh`, the token issued
 * in their place if any, has it from its first use.
 */
export function forgetManagementTokens(ctx: AppContext, agentId: string, fresh?: string): void {
  const recent = recentKeysOf(ctx).managementToken;
  const did = didOf(agentId);
  recent.forgetId(did);
  if (fresh !== undefined) recent.remember(hashSecret(fresh), did);
}

/** A registration's proof of possession: the key's standard base64 signature of {@link registrationStatement}. */
export interface KeyProof {
  signedAt: number;
  signature: string;
}

/**
 * Checks the proof that the registrant holds the private key of `publicKey` (standard base64): `true` when one was
 * given and verifies. Without one: `false`, or 400 `VALIDATION_FAILED` naming `field` when the server requires it
 * (`VOUCH_REQUIRE_KEY_PROOF`). A `signedAt` more than 5 minutes from the server's clock is 400
 * `SIGNED_AT_OUT_OF_WINDOW`; a signature that does not verify is 400 `SIGNATURE_INVALID`.
 */
export async function checkKeyProof(
  ctx: AppContext,
  publicKey: string,
  proof: KeyProof | undefined,
  field: string,
): Promise<boolean> {
  if (proof === undefined) {
    if (!ctx.config.requireKeyProof) return false;
    throw new ApiError(
      'VALIDATION_FAILED',
      `${field} is required: this server registers only keys proven by their holder.`,
      { field },
    );
  }
  if (Math.abs(ctx.clock.now() - proof.signedAt) > SIGNED_REQUEST_WINDOW_MS) {
    throw new ApiError('SIGNED_AT_OUT_OF_WINDOW', `${field} was signed more than 5 minutes from the server's time.`);
  }
  const statement = registrationStatement(ctx.config.publicUrl, publicKey, proof.signedAt);
  if (!(await verifyAgentSignature({ publicKey }, statement, proof.signature))) {
    throw new ApiError(
      'SIGNATURE_INVALID',
      `${field}.signature is not the key's signature of the registration statement.`,
    );
  }
  return true;
}
