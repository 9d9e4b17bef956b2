// Internal: verifies the candidate co-signatures of many planned steps at once. All verifications are started
// together so the node provider spreads them over libuv's threadpool; keys are parsed once per distinct key.
import type { CryptoProvider } from '../../crypto/provider.ts';
import type { PublicKey } from '../../keys/key.ts';
import { parsePublicKey } from '../../keys/parse-public.ts';
import { signatureBytes, type Plan } from './ledger.ts';

type Signed = Pick<Plan, 'candidates' | 'signatures' | 'signingBytes'>;

export async function verifyPlanSignatures(plans: readonly Signed[], crypto: CryptoProvider): Promise<boolean[][]> {
  const keys = new Map<string, PublicKey>();
  const keyFor = (text: string): PublicKey => {
    let key = keys.get(text);
    if (key === undefined) {
      key = parsePublicKey(text, { type: 'Ed25519' });
      keys.set(text, key);
    }
    return key;
  };
  return Promise.all(
    plans.map(async (plan) => {
      const valid = new Array<boolean>(plan.signatures.length).fill(false);
      if (plan.signingBytes === undefined) return valid;
      const data = plan.signingBytes;
      await Promise.all(
        plan.candidates.map(async (c) => {
          if (c.reason !== undefined || c.publicKey === undefined) return;
          const signature = signatureBytes(plan.signatures[c.index]!.signature);
          valid[c.index] = await crypto.verify('EdDSA', keyFor(c.publicKey), signature, data);
        }),
      );
      return valid;
    }),
  );
}
