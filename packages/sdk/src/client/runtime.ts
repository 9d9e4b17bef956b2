// Runtime defaults shared by the client, the agent helpers and the verifier helpers. No node:* import: the same
// code runs in browsers, where the crypto provider is WebCrypto.
import { getDefaultCrypto } from '../crypto/default.ts';
import { createWebCryptoProvider } from '../crypto/webcrypto.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { timerDelay } from '../lib/timer.ts';

/** `node:crypto` on Node, WebCrypto elsewhere (browsers, Deno, workers). */
export function defaultCrypto(): CryptoProvider {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  return isNode ? getDefaultCrypto() : createWebCryptoProvider();
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, timerDelay(ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
