// Shared table-driven base64 codec for the standard and the URL-safe alphabets. Internal: the public,
// strict entry points are encoding/base64.ts and encoding/base64url.ts. Pure JS (not crypto), so the same
// code runs in browsers and gives identical strictness everywhere.
import { VouchError } from '../errors.ts';

export interface Alphabet {
  readonly chars: string;
  readonly table: Uint8Array; // char code (< 128) -> 6-bit value, 255 when not in the alphabet
  readonly name: 'base64' | 'base64url';
  readonly code: 'INVALID_BASE64' | 'INVALID_BASE64URL';
}

function alphabet(chars: string, name: Alphabet['name'], code: Alphabet['code']): Alphabet {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < 64; i++) table[chars.charCodeAt(i)] = i;
  return { chars, table, name, code };
}

const CORE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const STANDARD = alphabet(CORE + '+/', 'base64', 'INVALID_BASE64');
export const URL_SAFE = alphabet(CORE + '-_', 'base64url', 'INVALID_BASE64URL');

export function encodeWith(bytes: Uint8Array, abc: Alphabet, pad: boolean): string {
  const c = abc.chars;
  const n = bytes.length;
  let out = '';
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += c[v >> 18]! + c[(v >> 12) & 63]! + c[(v >> 6) & 63]! + c[v & 63]!;
  }
  if (n - i === 1) {
    const v = bytes[i]!;
    out += c[v >> 2]! + c[(v & 3) << 4]! + (pad ? '==' : '');
  } else if (n - i === 2) {
    const v = (bytes[i]! << 8) | bytes[i + 1]!;
    out += c[v >> 10]! + c[(v >> 4) & 63]! + c[(v & 15) << 2]! + (pad ? '=' : '');
  }
  return out;
}

function fail(abc: Alphabet, message: string): never {
  throw new VouchError(abc.code, message);
}

function badChar(input: string, abc: Alphabet, from: number, to: number): never {
  for (let i = from; i < to; i++) {
    const ch = input.charCodeAt(i);
    if (ch < 128 && abc.table[ch] !== 255) continue;
    if (ch === 0x3d) fail(abc, `The ${abc.name} string has '=' padding where none is allowed (index ${i}).`);
    if (ch === 0x20 || ch === 0x09 || ch === 0x0a || ch === 0x0d) {
      fail(abc, `The ${abc.name} string contains whitespace at index ${i}.`);
    }
    fail(abc, `The ${abc.name} string contains a character outside its alphabet at index ${i}.`);
  }
  // Only reached if the caller's range held no bad character, which the callers rule out.
  fail(abc, `The ${abc.name} string is malformed.`);
}

/**
 * Decodes `input[0, end)` where `end` excludes any padding already checked by the caller. The last group may hold
 * 2 or 3 characters; its unused low bits must be zero so that every byte string has exactly one encoding.
 */
// The 6-bit value of input[i], 255 outside the alphabet (a module function: a closure per call costs an allocation).
function sextet(t: Uint8Array, input: string, i: number): number {
  const ch = input.charCodeAt(i);
  return ch < 128 ? t[ch]! : 255;
}

export function decodeWith(input: string, end: number, abc: Alphabet): Uint8Array {
  const t = abc.table;
  const rem = end % 4;
  if (rem === 1) fail(abc, `The ${abc.name} string has an impossible length.`);
  const out = new Uint8Array(((end - rem) / 4) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const a = sextet(t, input, i);
    const b = sextet(t, input, i + 1);
    const c = sextet(t, input, i + 2);
    const d = sextet(t, input, i + 3);
    if ((a | b | c | d) > 63) badChar(input, abc, i, i + 4);
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
    out[o++] = ((c & 3) << 6) | d;
  }
  if (rem === 0) return out;
  const a = sextet(t, input, i);
  const b = sextet(t, input, i + 1);
  const c = rem === 3 ? sextet(t, input, i + 2) : 0;
  if ((a | b | c) > 63) badChar(input, abc, i, end);
  out[o++] = (a << 2) | (b >> 4);
  if (rem === 2) {
    if ((b & 15) !== 0) fail(abc, `The ${abc.name} string has non-zero trailing bits, so it is not canonical.`);
  } else {
    if ((c & 3) !== 0) fail(abc, `The ${abc.name} string has non-zero trailing bits, so it is not canonical.`);
    out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}
