// Both CryptoProvider implementations (every signature test runs against each), and one that counts verifications.
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
