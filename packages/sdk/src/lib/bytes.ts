// Byte helpers shared by the SDK. Internal.
import { VouchError } from '../errors.ts';

const encoder = new TextEncoder();

/** Strings are taken as UTF-8 text; byte arrays are used as they are. */
export function toBytes(input: Uint8Array | string): Uint8Array {
  if (typeof input === 'string') return encoder.encode(input);
  if (input instanceof Uint8Array) return input;
  throw new VouchError('INVALID_ARGUMENT', 'Expected a string or a Uint8Array.');
}

/** A plain Uint8Array view of a Node Buffer, so both crypto providers return the same type. */
export function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
