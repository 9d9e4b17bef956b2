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
  // A string's UTF-8 length is at least one byte per UTF-16 unit and at most three: its units decide alone below a
  // third of the bound and above the bound; only in between are its bytes counted.
  let size = typeof input === 'string' ? input.length : input.byteLength;
  if (typeof input === 'string' && size <= maxBytes && size * 3 > maxBytes) size = utf8Length(input);
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

/** The UTF-8 length of `text` without encoding it (a lone surrogate counts as U+FFFD would: 3 bytes). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
