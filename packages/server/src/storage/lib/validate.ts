import { StorageError } from '../errors.ts';

/** Throws `INVALID_ARGUMENT` unless `value` is a non-negative safe integer (ms epochs, counts, ids). */
export function assertNonNegativeInteger(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StorageError('INVALID_ARGUMENT', `${name} must be a non-negative safe integer.`);
  }
}

/** Throws `INVALID_ARGUMENT` unless `value` is a string of 1..max characters. */
export function assertText(name: string, value: unknown, max: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new StorageError('INVALID_ARGUMENT', `${name} must be a string of 1 to ${max} characters.`);
  }
}
