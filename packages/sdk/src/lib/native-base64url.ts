// Node's native base64url codec for the token hot path, with the SDK's strictness. No node:* import: Buffer is read
// from globalThis and only on Node, so browser bundles (and Buffer polyfills) always take the portable JS codec.
// Internal: what it returns may be a view into Node's shared allocation pool, so it never leaves the SDK.

interface NativeBuffer extends Uint8Array {
  toString(encoding?: 'base64url'): string;
}

interface NativeBufferClass {
  from(text: string, encoding: 'base64url' | 'latin1'): NativeBuffer;
}

const NATIVE: NativeBufferClass | undefined =
  typeof process !== 'undefined' && typeof process.versions?.node === 'string'
    ? (globalThis as { Buffer?: NativeBufferClass }).Buffer
    : undefined;

/** Whether the native codec is in use (false outside Node); tests compare both paths. */
export const hasNativeBase64url = NATIVE !== undefined;

/**
 * Decodes `text` when it is strict base64url, the same language as `decodeBase64url` accepts: Node's decoder is
 * lenient (padding, whitespace, `+/`, stray characters, non-zero trailing bits), so the bytes are kept only when
 * encoding them again gives back exactly `text`. Every byte string has one canonical unpadded encoding, so that
 * round trip holds exactly for the strict encodings. Undefined otherwise (or off Node): the caller then runs the JS
 * decoder, which throws the precise error.
 */
export function decodeBase64urlNative(text: string): Uint8Array | undefined {
  if (NATIVE === undefined) return undefined;
  const bytes = NATIVE.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * The bytes of a string whose characters are all below U+0080 (the caller has checked that, e.g. base64url text),
 * where UTF-8 and Latin-1 agree; undefined off Node.
 */
export function asciiBytesNative(text: string): Uint8Array | undefined {
  return NATIVE === undefined ? undefined : NATIVE.from(text, 'latin1');
}
