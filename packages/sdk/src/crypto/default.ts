import { createNodeCryptoProvider } from './node.ts';
import type { CryptoProvider } from './provider.ts';

let defaultProvider: CryptoProvider | undefined;

/**
 * The provider the SDK uses when a function takes no explicit `crypto` option: `node:crypto` on Node. Created once.
 *
 * @example
 * ```ts
 * const ok = await getDefaultCrypto().verify('EdDSA', publicKey, signature, message);
 * ```
 */
export function getDefaultCrypto(): CryptoProvider {
  defaultProvider ??= createNodeCryptoProvider();
  return defaultProvider;
}
