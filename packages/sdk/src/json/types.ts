import { VouchError } from '../errors.ts';

/** A JSON value as the strict parser returns it and as `canonicalize` accepts it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [member: string]: JsonValue };

/** Nesting limit (objects and arrays) of `parseStrict` and `canonicalize` unless told otherwise. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

// Both functions recurse once per level; this bound keeps them far from the engine's stack limit.
const MAX_ALLOWED_DEPTH = 1000;

export function checkMaxDepth(maxDepth: unknown): number {
  if (maxDepth === undefined) return DEFAULT_MAX_JSON_DEPTH;
  if (!Number.isInteger(maxDepth) || (maxDepth as number) < 1 || (maxDepth as number) > MAX_ALLOWED_DEPTH) {
    throw new VouchError('INVALID_ARGUMENT', `The maxDepth option must be an integer from 1 to ${MAX_ALLOWED_DEPTH}.`);
  }
  return maxDepth as number;
}

// In a /u regex a valid surrogate pair is one code point, so \p{Cs} matches only lone surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}
