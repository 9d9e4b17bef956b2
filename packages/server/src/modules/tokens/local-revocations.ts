// What this process has revoked, as two watermarks the verify cache compares against (verify-cache.ts). Process-wide
// on purpose: a revocation is noted before its transaction commits, by code that holds a transaction, not an app.

let seq = 0;
let agentEpoch = 0;

/** Called with every revocation sequence number this process takes (store.nextRevocationSeq). */
export function noteLocalRevocation(value: number): void {
  if (value > seq) seq = value;
}

/** The highest revocation sequence number taken in this process. */
export function localRevocationSeq(): number {
  return seq;
}

/**
 * Called when an agent's tokens are revoked in this process (revokeTokensOfAgent, before its transaction commits) and
 * again once the transaction that revoked the agent has ended (agentRevocationEnded): an agent read in between, which
 * may not have seen the revocation, is not kept.
 */
export function noteAgentRevocation(): void {
  agentEpoch++;
}

/** Changes whenever an agent is revoked in this process. */
export function localAgentEpoch(): number {
  return agentEpoch;
}
