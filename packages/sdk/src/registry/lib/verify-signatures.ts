// Internal: verifies the candidate co-signatures of many planned steps at once. All verifications are started
// together so the node provider spreads them over libuv's threadpool.
import type { CryptoProvider } from '../../crypto/provider.ts';
import type { PublicKey } from '../../keys/key.ts';
import { parsePublicKey } from '../../keys/parse-public.ts';
import { signatureBytes, type Plan } from './ledger.ts';

type Signed = Pick<Plan, 'candidates' | 'signatures' | 'signingBytes'>;

// Issuer keys by their (canonical) `ed25519:` text. A consumer re-verifies mostly the same keys every refresh; the
// provider caches its native handle per key object, so reusing the object skips OpenSSL's key parsing, which costs
// as much as a verification. Public data only; bounded (cleared when full).
const KEY_CACHE_LIMIT = 20_000;
const keys = new Map<string, PublicKey>();

function keyFor(text: string): PublicKey {
  let key = keys.get(text);
  if (key === undefined) {
    key = parsePublicKey(text, { type: 'Ed25519' });
    if (keys.size >= KEY_CACHE_LIMIT) keys.clear();
    keys.set(text, key);
  }
  return key;
}

/**
 * Starts verifying one plan's candidate signatures at once (the work is queued on the threadpool before this
 * returns, so the caller's JavaScript overlaps it); resolves to the result of each signature by index.
 */
export function verifyPlan(plan: Signed, crypto: CryptoProvider): Promise<boolean[]> {
  const valid = new Array<boolean>(plan.signatures.length).fill(false);
  const data = plan.signingBytes;
  if (data === undefined) return Promise.resolve(valid);
  const indexes: number[] = [];
  const pending: Promise<boolean>[] = [];
  for (const c of plan.candidates) {
    if (c.reason !== undefined || c.publicKey === undefined) continue;
    indexes.push(c.index);
    const signature = signatureBytes(plan.signatures[c.index]!.signature);
    pending.push(crypto.verify('EdDSA', keyFor(c.publicKey), signature, data));
  }
  return Promise.all(pending).then((results) => {
    for (let i = 0; i < results.length; i++) valid[indexes[i]!] = results[i]!;
    return valid;
  });
}

export function verifyPlanSignatures(plans: readonly Signed[], crypto: CryptoProvider): Promise<boolean[][]> {
  return Promise.all(plans.map((plan) => verifyPlan(plan, crypto)));
}
