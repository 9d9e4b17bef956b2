// Function-valued options of the client and the verifier. No node:* import: browsers use it too.
import { VouchError } from '../errors.ts';

/**
 * An optional function option (fetch, now, sleep, random): absent or null is the default; anything else that is not
 * a function is refused here, where a non-function fetch would fail every attempt as a retried NETWORK_ERROR and a
 * non-function clock as a raw TypeError mid-call.
 */
export function functionOption<F>(value: F | null | undefined, fallback: F, name: string): F {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'function') throw new VouchError('INVALID_ARGUMENT', `${name} must be a function.`);
  return value;
}
