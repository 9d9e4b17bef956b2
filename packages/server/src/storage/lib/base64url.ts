const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url (RFC 4648 §5) without padding: refuses padding, whitespace, other alphabets, impossible lengths
 * and non-zero trailing bits, so every byte string has exactly one accepted spelling. Returns undefined on refusal.
 */
export function decodeBase64url(text: string): Buffer | undefined {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
