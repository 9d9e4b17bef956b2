// Internal: the registry's times are ISO-8601 UTC strings; callers pass Date, epoch milliseconds or such a string.
import { VouchError } from '../../errors.ts';

export type TimeInput = Date | number | string;

export function toMs(value: TimeInput, what: string): number {
  // A Date (one from another realm, a vm context or an iframe, too), a number, or a string, which alone is parsed:
  // anything else (a Symbol, which Date.parse throws on; an array or a bigint, which it would read as the text they
  // print as) is no time.
  const ms =
    value instanceof Date || Object.prototype.toString.call(value) === '[object Date]'
      ? Date.prototype.getTime.call(value)
      : typeof value === 'number'
        ? value
        : typeof value === 'string'
          ? Date.parse(value)
          : NaN;
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
