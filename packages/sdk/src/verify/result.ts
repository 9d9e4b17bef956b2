import { isVouchError } from '../errors.ts';

/** A verifier helper's answer: `valid: true` with what was verified, or `valid: false` with a stable code. */
export type VerifyResult<T extends object> = ({ valid: true } & T) | { valid: false; code: string; error: string };

/** The failure answer. */
export function invalid(code: string, error: string): { valid: false; code: string; error: string } {
  return { valid: false, code, error };
}

/** Turns a `VouchError` thrown by a check into a failure answer; anything else is rethrown (a bug, not a verdict). */
export function failureOf(err: unknown): { valid: false; code: string; error: string } {
  if (isVouchError<string>(err)) return invalid(err.code, err.message);
  throw err;
}
