// Proof of work for registration. On Node this is the SDK's solvePow (synchronous node:crypto hashing in batches);
// elsewhere (browsers) the same search runs on the crypto provider's SHA-256, which is asynchronous.
import { VouchError } from '../errors.ts';
import { encodeHex } from '../encoding/hex.ts';
import { encodeUtf8 } from '../encoding/utf8.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { solvePow } from '../pow/solve.ts';
import type { PowSolution } from '../pow/solve.ts';
import { checkDifficulty, checkPublicKeyText, DEFAULT_POW_DIFFICULTY, hasLeadingZeroNibbles } from '../pow/params.ts';
import { checkSignal } from '../lib/signal-option.ts';
import { functionOption } from '../lib/function-option.ts';

export interface ProofOfWorkOptions {
  difficulty: number;
  onProgress?: (attempts: number) => void;
  signal?: AbortSignal;
  crypto: CryptoProvider;
}

const BATCH = 1024;

/** Finds `powNonce` for `publicKeyBase64`; reports progress once per batch of hashes. */
export async function proofOfWork(publicKeyBase64: string, options: ProofOfWorkOptions): Promise<PowSolution> {
  // Required: a missing one (a JavaScript caller, settings read from JSON) is named, not a raw TypeError.
  const crypto: unknown = typeof options === 'object' && options !== null ? options.crypto : undefined;
  if (typeof crypto !== 'object' || crypto === null || typeof (crypto as CryptoProvider).sha256 !== 'function') {
    throw new VouchError('INVALID_ARGUMENT', 'proofOfWork needs options with crypto (a CryptoProvider).');
  }
  if (options.crypto.name === 'node') {
    return solvePow(publicKeyBase64, {
      difficulty: options.difficulty,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  }
  checkPublicKeyText(publicKeyBase64);
  // Absent or null: the default, as solvePow (the Node path above) reads it.
  const difficulty = checkDifficulty(options.difficulty ?? DEFAULT_POW_DIFFICULTY);
  const signal = checkSignal(options.signal);
  const onProgress = functionOption<ProofOfWorkOptions['onProgress']>(options.onProgress, undefined, 'onProgress');
  signal?.throwIfAborted();
  for (let nonce = 0; nonce < Number.MAX_SAFE_INTEGER; nonce++) {
    const digest = await options.crypto.sha256(encodeUtf8(publicKeyBase64 + String(nonce)));
    if (hasLeadingZeroNibbles(digest, difficulty)) {
      return { nonce: String(nonce), hash: encodeHex(digest), attempts: nonce + 1 };
    }
    if ((nonce + 1) % BATCH === 0) {
      onProgress?.(nonce + 1);
      signal?.throwIfAborted();
    }
  }
  throw new VouchError('INVALID_ARGUMENT', 'The nonce range was exhausted without a solution.');
}
