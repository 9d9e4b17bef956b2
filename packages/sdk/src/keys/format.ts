import { createPrivateKey } from 'node:crypto';
import { VouchError } from '../errors.ts';
import { encodeBase64 } from '../encoding/base64.ts';
import { encodeBase64url } from '../encoding/base64url.ts';
import { plain } from '../lib/bytes.ts';
import { encodePem } from '../lib/pem.ts';
import { spkiFromBytes } from './der.ts';
import { privateJwkFromBytes, publicJwkFromBytes, type PrivateJwk, type PublicJwk } from './jwk.ts';
import { privateKeyBytes, publicKeyBytes, type PrivateKey, type PublicKey } from './key.ts';
import { ED25519_REGISTRY_PREFIX } from './parse-public.ts';

/**
 * Output forms of a public key. `registry` (`ed25519:<base64url>`) and `base64` (raw bytes, identity.app) exist for
 * Ed25519 only; `pem` and `der` are SPKI; `raw` is the 32-byte Ed25519 key or the 65-byte uncompressed P-256 point.
 */
export type PublicKeyFormat = 'registry' | 'base64' | 'pem' | 'der' | 'jwk' | 'raw';
/** Output forms of a private key: PKCS#8 `pem`/`der`, `jwk` (with `d`), or `raw` (Ed25519 seed / P-256 scalar). */
export type PrivateKeyFormat = 'pem' | 'der' | 'jwk' | 'raw';

/**
 * Prints a public key in one of the {@link PublicKeyFormat}s; `parsePublicKey` reads every one of them back
 * (`raw` through `publicKeyFromRaw`).
 *
 * @example
 * ```ts
 * formatPublicKey(key, 'registry'); // 'ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'
 * formatPublicKey(key, 'jwk');      // { kty: 'OKP', crv: 'Ed25519', x: '11qYAY...' }
 * ```
 */
export function formatPublicKey(key: PublicKey, format: 'jwk'): PublicJwk;
export function formatPublicKey(key: PublicKey, format: 'der' | 'raw'): Uint8Array;
export function formatPublicKey(key: PublicKey, format: 'registry' | 'base64' | 'pem'): string;
export function formatPublicKey(key: PublicKey, format: PublicKeyFormat): string | Uint8Array | PublicJwk;
export function formatPublicKey(key: PublicKey, format: PublicKeyFormat): string | Uint8Array | PublicJwk {
  const raw = publicKeyBytes(key);
  switch (format) {
    case 'registry':
    case 'base64':
      if (key.type !== 'Ed25519') {
        throw new VouchError('UNSUPPORTED_KEY_FORMAT', `The ${format} form exists for Ed25519 keys only.`);
      }
      return format === 'registry' ? ED25519_REGISTRY_PREFIX + encodeBase64url(raw) : encodeBase64(raw);
    case 'pem':
      return encodePem('PUBLIC KEY', spkiFromBytes(key.type, raw));
    case 'der':
      return spkiFromBytes(key.type, raw);
    case 'jwk':
      return publicJwkFromBytes(key.type, raw);
    case 'raw':
      return Uint8Array.from(raw);
    default:
      throw new VouchError('UNSUPPORTED_KEY_FORMAT', 'The public key format is not supported.');
  }
}

/**
 * Exports a private key. This is the only way to read its secret bytes: handle the result as a secret.
 *
 * @example
 * ```ts
 * fs.writeFileSync('key.pem', formatPrivateKey(key, 'pem'), { mode: 0o600 });
 * ```
 */
export function formatPrivateKey(key: PrivateKey, format: 'jwk'): PrivateJwk;
export function formatPrivateKey(key: PrivateKey, format: 'der' | 'raw'): Uint8Array;
export function formatPrivateKey(key: PrivateKey, format: 'pem'): string;
export function formatPrivateKey(key: PrivateKey, format: PrivateKeyFormat): string | Uint8Array | PrivateJwk;
export function formatPrivateKey(key: PrivateKey, format: PrivateKeyFormat): string | Uint8Array | PrivateJwk {
  const d = privateKeyBytes(key);
  const jwk = privateJwkFromBytes(key.type, publicKeyBytes(key.publicKey), d);
  switch (format) {
    case 'jwk':
      return jwk;
    case 'raw':
      return Uint8Array.from(d);
    case 'pem':
    case 'der': {
      const der = createPrivateKey({ key: { ...jwk }, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' });
      return format === 'der' ? plain(der) : encodePem('PRIVATE KEY', der);
    }
    default:
      throw new VouchError('UNSUPPORTED_KEY_FORMAT', 'The private key format is not supported.');
  }
}
