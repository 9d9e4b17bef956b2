// Content against a recorded signature, offline: SHA-256 of the content equals the signed payloadHash, the record
// hashes to the signature hash asked about, and the agent's Ed25519 signature over "<payloadHash>:<signedAt>" holds.
import { decodeBase64 } from '../encoding/base64.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { sha256Hex } from '../hash/sha256.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { parsePublicKey } from '../keys/parse-public.ts';
import { publicKeyFromRaw } from '../keys/parse-public.ts';
import type { PublicKey } from '../keys/key.ts';
import type { SignatureRecord } from '../client/types.ts';
import { defaultCrypto } from '../client/runtime.ts';
import { signedMessageText } from '../agent/signed-message.ts';
import { invalid } from './result.ts';
import type { VerifyResult } from './result.ts';

export interface VerifyContentOptions {
  /** The signature record (`GET /api/v1/signatures/verify?hash=`), e.g. from a verifier cache. */
  record: SignatureRecord;
  /**
   * The agent's key when it signed (default: the record's `signerPublicKey`, else, for a record without it, the
   * agent's current `agent.publicKey`, which no longer verifies what an earlier key signed).
   */
  publicKey?: PublicKey | string;
  crypto?: CryptoProvider;
}

function ed25519(key: PublicKey | string): PublicKey {
  if (typeof key !== 'string') return key;
  // Standard base64 of 32 bytes (identity.app's form) without node:crypto; any other form through the parser.
  if (/^[A-Za-z0-9+/]{43}=$/.test(key)) return publicKeyFromRaw('Ed25519', decodeBase64(key));
  return parsePublicKey(key, { type: 'Ed25519' });
}

/**
 * Checks `content` (a string is hashed as UTF-8) against the signature `signatureHash`, offline from its record:
 * `CONTENT_MISMATCH` when SHA-256(content) is not the signed payloadHash; `RECORD_MISMATCH` when the record is not
 * the one whose hash was asked about (signatureHash = SHA-256 of the RFC 8785 JSON of {did, payloadHash, signedAt,
 * signature}); `SIGNATURE_INVALID` when the agent's signature does not verify with the key that made it (the record's
 * `signerPublicKey`); `AGENT_REVOKED` when the record says the agent has since been revoked (the content still
 * matches: `match` tells).
 *
 * @example
 * ```ts
 * const r = await verifyContent(hash, fileBytes, { record: await client.signatures.verify(hash) });
 * ```
 */
export async function verifyContent(
  signatureHash: string,
  content: string | Uint8Array,
  given: VerifyContentOptions,
): Promise<
  VerifyResult<{ match: true; contentHash: string; payloadHash: string; signer: { did: string; signedAt: number } }> & {
    match?: boolean;
  }
> {
  // null options: an object without members (no record: RECORD_INVALID), as for the SDK's other options arguments
  const options: Partial<VerifyContentOptions> = given ?? {};
  const crypto = options.crypto ?? defaultCrypto();
  const r = options.record;
  if (r === null || typeof r !== 'object' || typeof r.payloadHash !== 'string' || typeof r.agent?.did !== 'string') {
    return invalid('RECORD_INVALID', 'The signature record lacks payloadHash or agent.did.');
  }
  const contentHash = await sha256Hex(content, crypto);
  if (contentHash !== r.payloadHash) {
    return { ...invalid('CONTENT_MISMATCH', 'The content is not what was signed.'), match: false };
  }
  if (typeof r.signature !== 'string' || !Number.isSafeInteger(r.signedAt)) {
    return { ...invalid('RECORD_INVALID', 'The record lacks the signature or signedAt.'), match: true };
  }
  const fields = { did: r.agent.did, payloadHash: r.payloadHash, signedAt: r.signedAt, signature: r.signature };
  let canonical: string;
  try {
    canonical = canonicalize(fields);
  } catch {
    // JSON can carry what RFC 8785 cannot hash (a lone surrogate, "\ud800"): a malformed record, not a throw.
    return { ...invalid('RECORD_INVALID', 'The record cannot be hashed as RFC 8785 JSON.'), match: true };
  }
  if ((await sha256Hex(canonical, crypto)) !== signatureHash) {
    return { ...invalid('RECORD_MISMATCH', 'The record does not hash to this signature hash.'), match: true };
  }
  // The key that made the signature: after a rotation the agent's current key never verifies it.
  const keyText = options.publicKey ?? r.signerPublicKey ?? r.agent.publicKey ?? undefined;
  if (keyText === undefined) {
    return { ...invalid('AGENT_HAS_NO_KEY', 'No public key to check the signature with.'), match: true };
  }
  // With a publicNote the signature covers it too.
  const note = typeof r.publicNote === 'string' ? r.publicNote : undefined;
  const signed = await signedMessageText(r.payloadHash, r.signedAt, note, crypto);
  let ok = false;
  try {
    ok = await crypto.verify('EdDSA', ed25519(keyText), decodeBase64(r.signature), encodeUtf8(signed));
  } catch {
    ok = false;
  }
  if (!ok) return { ...invalid('SIGNATURE_INVALID', "The agent's signature does not verify."), match: true };
  if (r.agent.status === 'revoked') {
    return { ...invalid('AGENT_REVOKED', 'The content matches, but the agent has been revoked.'), match: true };
  }
  return {
    valid: true,
    match: true,
    contentHash,
    payloadHash: r.payloadHash,
    signer: { did: r.agent.did, signedAt: r.signedAt },
  };
}
