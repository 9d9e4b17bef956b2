// The abort-signal option of the client's calls and of the proof-of-work search. No node:* import: browsers use it.
import { VouchError } from '../errors.ts';

/**
 * An optional abort signal: absent or null is none; anything else must be an AbortSignal (an AbortController passed
 * for its signal, a common slip, would otherwise fail as a raw TypeError at the first check).
 */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal === null) return undefined;
  if (typeof (signal as AbortSignal).throwIfAborted !== 'function') {
    throw new VouchError('INVALID_ARGUMENT', 'signal must be an AbortSignal (controller.signal).');
  }
  return signal as AbortSignal;
}
