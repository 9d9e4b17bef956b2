// Internal: the registry's times are ISO-8601 UTC strings; callers pass Date, epoch milliseconds or such a string.
import { VouchError } from '../../errors.ts';

export type TimeInput = Date | number | string;

export function toMs(value: TimeInput, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new VouchError('INVALID_ARGUMENT', `${what} must be a valid time.`);
  return ms;
}

export function toIso(value: TimeInput, what: string): string {
  return new Date(toMs(value, what)).toISOString();
}

/** The default lifetime of a signed registry document: 7 days, as the server's VOUCH_REGISTRY_VALIDITY. */
export const DEFAULT_VALIDITY_SECONDS = 7 * 24 * 3600;
