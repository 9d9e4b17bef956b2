// Function-valued options of the client, the verifier and the proof-of-work search. No node:* import: browsers use it.
import { VouchError } from '../errors.ts';

/**
 * An optional function option (fetch, now, sleep, random, onProgress): absent or null is the default; anything else
 * that is not a function is refused here, where a non-function fetch would fail every attempt as a retried
 * NETWORK_ERROR, a non-function clock as a raw TypeError mid-call, and a non-function onProgress as one after the
 * first batch of hashes.
 */
export function functionOption<F>(value: F | null | undefined, fallback: F, name: string): F {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'function') throw new VouchError('INVALID_ARGUMENT', `${name} must be a function.`);
  return value;
}
