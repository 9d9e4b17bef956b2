// Internal: the registry's times are ISO-8601 UTC strings; callers pass Date, epoch milliseconds or such a string.
import { VouchError } from '../../errors.ts';

export type TimeInput = Date | number | string;

export function toMs(value: TimeInput, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  // Beyond ±8.64e15 ms a number is finite but no Date (toISOString would throw a RangeError).
  if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new VouchError('INVALID_ARGUMENT', `${what} must be a valid time.`);
  }
  return ms;
}

export function toIso(value: TimeInput, what: string): string {
  return new Date(toMs(value, what)).toISOString();
}

/** The default lifetime of a signed registry document: 7 days, as the server's VOUCH_REGISTRY_VALIDITY. */
export const DEFAULT_VALIDITY_SECONDS = 7 * 24 * 3600;
