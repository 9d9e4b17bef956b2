// Internal: attacker-supplied registry bytes → a JSON value, through the SDK's strict parser (no duplicate keys,
// no non-finite numbers, bounded depth), with a size bound checked before parsing.
import { isVouchError } from '../../errors.ts';
import { parseStrict } from '../../json/parse-strict.ts';
import type { JsonValue } from '../../json/types.ts';
import { RegistryFormatError } from '../errors.ts';

// Registry files nest at most ~8 levels (document → governance → step → proposal → entry → metadata).
const MAX_DEPTH = 16;

export function readJson(input: string | Uint8Array, source: string | undefined, maxBytes: number): JsonValue {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new RegistryFormatError('', 'expected JSON text or UTF-8 bytes.', source);
  }
  // A string's UTF-8 length is at most 3 bytes per UTF-16 unit; checking units first avoids encoding huge inputs.
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > maxBytes) throw new RegistryFormatError('', `is larger than ${maxBytes} bytes.`, source);
  try {
    return parseStrict(input, { maxDepth: MAX_DEPTH });
  } catch (err) {
    if (isVouchError(err)) {
      throw new RegistryFormatError('', `is not strict JSON (${err.code}): ${err.message}`, source, { cause: err });
    }
    throw err;
  }
}
