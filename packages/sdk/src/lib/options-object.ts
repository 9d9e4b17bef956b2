// Options arguments that carry requirements (an audience, an agent id). No node:* import: browsers use it.
import { VouchError } from '../errors.ts';

/**
 * The per-call options of a check: absent or null is none; anything else that is not a plain object is refused. A
 * string (the audience passed where the options go), a number or an array has no such members, so read as options
 * it would require nothing and a token for any audience would pass.
 */
export function optionsObject<T extends object>(given: T | null | undefined, what: string): T | Record<string, never> {
  if (given === undefined || given === null) return {};
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new VouchError('INVALID_ARGUMENT', `The ${what} options must be an object.`);
  }
  return given;
}
