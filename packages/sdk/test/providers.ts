// Both CryptoProvider implementations (every signature test runs against each), one that counts verifications, and
// a hand-made signature cache the verifiers must refuse.
import { createNodeCryptoProvider, createWebCryptoProvider, type CryptoProvider } from '../src/index.ts';

export const PROVIDERS: readonly CryptoProvider[] = [createNodeCryptoProvider(), createWebCryptoProvider()];

/** The node provider, counting the signatures it checks. */
export function countingProvider(): { crypto: CryptoProvider; verifications: () => number } {
  const node = createNodeCryptoProvider();
  let n = 0;
  const crypto: CryptoProvider = {
    name: 'counting',
    generateKeyPair: (t) => node.generateKeyPair(t),
    sign: (a, k, d) => node.sign(a, k, d),
    verify: (a, k, s, d) => {
      n++;
      return node.verify(a, k, s, d);
    },
    sha256: (d) => node.sha256(d),
    randomBytes: (l) => node.randomBytes(l),
  };
  return { crypto, verifications: () => n };
}

/** A hand-made object shaped like a SignatureCache that vouches for every signature. */
export const YES_CACHE = {
  has: () => true,
  add: () => undefined,
  stats: () => ({ hits: 0, misses: 0, size: 0 }),
  clear: () => undefined,
};
