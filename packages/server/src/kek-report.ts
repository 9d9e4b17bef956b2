// What the KEK file is to a database's sealed server keys, for `vouch backup` and `vouch restore` to report.
import { constantTimeEqual } from '@vouch/sdk';
import { readKekIfPresent } from './storage/index.ts';
import { kekCheckValue } from './storage/kek.ts';

/**
 * Whether `file` holds the key the database is sealed with: `matches`; `differs` (a server on it stops with
 * KEK_MISMATCH); `missing` (there is no file); `unreadable` (there is one, but it cannot be read or holds no key: a
 * server stops with KEK_INVALID), with `kekProblem` saying why.
 */
export interface KekReport {
  kek: 'matches' | 'differs' | 'missing' | 'unreadable';
  /** With `kek: 'unreadable'` only: why the file cannot be used, a sentence naming it (KEK_INVALID's message). */
  kekProblem?: string;
}

/** {@link KekReport} of the KEK in `file` against `expected`, the database's KEK check value. */
export async function kekAgainst(file: string, expected: string): Promise<KekReport> {
  let key: Buffer | undefined;
  try {
    key = await readKekIfPresent(file);
  } catch (err) {
    return { kek: 'unreadable', kekProblem: err instanceof Error ? err.message : String(err) };
  }
  if (key === undefined) return { kek: 'missing' };
  try {
    return { kek: constantTimeEqual(kekCheckValue(key), expected) ? 'matches' : 'differs' };
  } finally {
    key.fill(0);
  }
}
