// The times a caller hands a verifier. Every time check compares against `now`, and a comparison with NaN is never
// true: a `now` or a skew that is not a finite number would let an expired or stale input through, so it is refused.
import { VouchError } from '../errors.ts';

/** `now`, milliseconds since the epoch, in seconds; `INVALID_ARGUMENT` unless it is a finite number, 0 or more. */
export function nowSecondsOf(now: unknown): number {
  return nowMsOf(now) / 1000;
}

/** `now`, milliseconds since the epoch, as given; `INVALID_ARGUMENT` unless it is a finite number, 0 or more. */
export function nowMsOf(now: unknown): number {
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
    throw new VouchError('INVALID_ARGUMENT', 'now must be a finite number of milliseconds since the epoch.');
  }
  return now;
}

/** An optional number of seconds (a clock skew, a largest age): `fallback` when absent, else finite and 0 or more. */
export function secondsOption(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new VouchError('INVALID_ARGUMENT', `${what} must be a finite number of seconds, 0 or more.`);
  }
  return value;
}
