import { VouchError } from '../errors.ts';

const encoder = new TextEncoder();
// fatal: malformed bytes throw instead of becoming U+FFFD; ignoreBOM: a leading BOM is kept, not silently dropped.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encodes a string as UTF-8. Lone surrogates become U+FFFD (TextEncoder semantics); parse signed text with
 * `parseStrict`, which rejects them, when that matters. Anything but a string throws `VouchError` `INVALID_ARGUMENT`
 * (TextEncoder would encode its `String()` form: `undefined` as no bytes, `5` as "5").
 *
 * @example
 * ```ts
 * encodeUtf8('é'); // Uint8Array [0xc3, 0xa9]
 * ```
 */
export function encodeUtf8(input: string): Uint8Array {
  if (typeof input !== 'string') throw new VouchError('INVALID_ARGUMENT', 'Expected a string to encode as UTF-8.');
  return encoder.encode(input);
}

/**
 * Decodes UTF-8 strictly: malformed or overlong sequences and encoded surrogates throw `VouchError` `INVALID_UTF8`.
 * A byte-order mark is kept as U+FEFF so that callers can see (and reject) it. Anything but a `Uint8Array` throws
 * `VouchError` `INVALID_ARGUMENT` (TextDecoder would take `undefined` as no bytes, and read other buffers' bytes).
 *
 * @example
 * ```ts
 * decodeUtf8(new Uint8Array([0xc3, 0xa9])); // 'é'
 * ```
 */
export function decodeUtf8(input: Uint8Array): string {
  if (!(input instanceof Uint8Array))
    throw new VouchError('INVALID_ARGUMENT', 'Expected bytes (a Uint8Array) to decode.');
  try {
    return decoder.decode(input);
  } catch {
    throw new VouchError('INVALID_UTF8', 'The bytes are not valid UTF-8.');
  }
}
