// The crypto option of the client and the verifier. No node:* import: browsers use it too.
import { VouchError } from '../errors.ts';
import type { CryptoProvider } from '../crypto/provider.ts';

const METHODS = ['generateKeyPair', 'sign', 'verify', 'sha256', 'randomBytes'] as const;

/**
 * An optional CryptoProvider option: absent or null is the default; anything else must have the provider's methods.
 * Checked when the client or verifier is made: one that is not a provider (its name, 'webcrypto'; settings read from
 * JSON) would otherwise fail as a raw TypeError at the first signed request or verified token.
 */
export function cryptoOption(value: unknown, fallback: () => CryptoProvider): CryptoProvider {
  if (value === undefined || value === null) return fallback();
  if (typeof value !== 'object' || METHODS.some((m) => typeof (value as Record<string, unknown>)[m] !== 'function')) {
    throw new VouchError(
      'INVALID_ARGUMENT',
      'crypto must be a CryptoProvider (getDefaultCrypto(), createWebCryptoProvider()).',
    );
  }
  return value as CryptoProvider;
}
