import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { VouchError } from '../errors.ts';
import { checkDifficulty, checkPublicKeyText, DEFAULT_POW_DIFFICULTY, hasLeadingZeroNibbles } from './params.ts';
import { checkSignal } from '../lib/signal-option.ts';
import { functionOption } from '../lib/function-option.ts';
import { optionsObject } from '../lib/options-object.ts';

export interface SolvePowOptions {
  /** Leading zero hex digits to find (default 4). */
  difficulty?: number;
  /** Called with the number of hashes tried so far, once per batch. */
  onProgress?: (attempts: number) => void;
  /** Aborts the search; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** First nonce to try (default 0); lets several workers split the range. */
  startNonce?: number;
  /** Hashes per batch between yields to the event loop (default 4096, about 2–5 ms). */
  batchSize?: number;
}

export interface PowSolution {
  /** The nonce as the decimal string to send (`powNonce`). */
  nonce: string;
  /** The winning SHA-256 in hex. */
  hash: string;
  /** Hashes tried, including the winning one. */
  attempts: number;
}

/**
 * Finds a nonce such that `SHA-256(publicKeyBase64 + nonce)` starts with `difficulty` hex zeros, trying decimal
 * nonces upwards from `startNonce`. Hashes synchronously in batches and yields to the event loop between them, so
 * a server or UI stays responsive; difficulty 4 takes 65536 tries on average (tens of milliseconds).
 * Options that are not an object (`solvePow(key, 5)`: the difficulty goes in `{ difficulty: 5 }`) throw
 * `INVALID_ARGUMENT`; null is the defaults.
 *
 * @example
 * ```ts
 * const { nonce } = await solvePow(publicKeyBase64, { signal: AbortSignal.timeout(10_000) });
 * const body = JSON.stringify({ publicKey: publicKeyBase64, powNonce: nonce });
 * await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
 * ```
 */
export async function solvePow(publicKeyBase64: string, given?: SolvePowOptions): Promise<PowSolution> {
  // Null options: the defaults, as when absent; a number (a difficulty where checkPow takes it) is refused.
  const options: SolvePowOptions = optionsObject(given, 'solvePow');
  checkPublicKeyText(publicKeyBase64);
  const difficulty = checkDifficulty(options.difficulty ?? DEFAULT_POW_DIFFICULTY);
  const start = options.startNonce ?? 0;
  const batch = options.batchSize ?? 4096;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new VouchError('INVALID_ARGUMENT', 'The startNonce option must be a non-negative safe integer.');
  }
  if (!Number.isSafeInteger(batch) || batch < 1) {
    throw new VouchError('INVALID_ARGUMENT', 'The batchSize option must be a positive integer.');
  }
  // Checked before any hashing: a non-function would otherwise throw a raw TypeError after the first batch.
  const onProgress = functionOption<SolvePowOptions['onProgress']>(options.onProgress, undefined, 'onProgress');
  const signal = checkSignal(options.signal);
  signal?.throwIfAborted();
  let attempts = 0;
  for (let nonce = start; ;) {
    // MAX_SAFE_INTEGER is a nonce to try too, so a batch may end one past it (2^53, still exact).
    const end = Math.min(nonce + batch, Number.MAX_SAFE_INTEGER + 1);
    for (; nonce < end; nonce++) {
      attempts++;
      const text = String(nonce);
      const digest = createHash('sha256')
        .update(publicKeyBase64 + text, 'utf8')
        .digest();
      if (hasLeadingZeroNibbles(digest, difficulty)) return { nonce: text, hash: digest.toString('hex'), attempts };
    }
    if (nonce > Number.MAX_SAFE_INTEGER) {
      throw new VouchError('INVALID_ARGUMENT', 'The nonce range was exhausted without a solution.');
    }
    onProgress?.(attempts);
    await nextTurn();
    signal?.throwIfAborted();
  }
}
