// Voice fingerprints (Treeship). The registered hash acts as a secret: it is stored only as its SHA-256, compared in
// constant time, and never returned.
import { constantTimeEqual, sha256HexSync } from '@vouch/sdk';

/** Samples a fingerprint needs before a match may authorize a payment. */
export const MIN_PAYMENT_SAMPLES = 3;
/** Identity score an agent needs before a voice match may authorize a payment. */
export const MIN_PAYMENT_SCORE = 70;

/** What is stored for a fingerprint hash (64 hex, compared case-insensitively). */
export function fingerprintDigest(fingerprintHash: string): string {
  return sha256HexSync(fingerprintHash.toLowerCase());
}

/** Whether a presented fingerprint hash matches the stored digest; constant time. */
export function voiceMatches(storedDigest: string, presented: string): boolean {
  return constantTimeEqual(fingerprintDigest(presented), storedDigest);
}

/**
 * `safe_for_payment`: the voice matched, the agent is not revoked, its domain is verified, the holder of its key
 * proved possession of it, its identity score is at least 70 and the fingerprint was made from at least 3 samples.
 *
 * Why the key proof: most of the score's points are claims (a key anyone could copy, a code hash, a model id, a tool
 * list, the fingerprint itself), so a score of 70 alone can be reached by two anonymous requests. A payment decision
 * rests on the two facts the server checked: the domain and the key.
 */
export function safeForPayment(p: {
  verified: boolean;
  revoked: boolean;
  domainVerified: boolean;
  keyProven: boolean;
  score: number;
  sampleCount: number;
}): boolean {
  return (
    p.verified &&
    !p.revoked &&
    p.domainVerified &&
    p.keyProven &&
    p.score >= MIN_PAYMENT_SCORE &&
    p.sampleCount >= MIN_PAYMENT_SAMPLES
  );
}
