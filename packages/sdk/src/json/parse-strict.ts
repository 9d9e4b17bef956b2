import { VouchError } from '../errors.ts';
import { decodeUtf8 } from '../encoding/utf8.ts';
import { checkMaxDepth, hasLoneSurrogate, type JsonValue } from './types.ts';

export interface ParseStrictOptions {
  /** Deepest allowed nesting of objects and arrays (default 64). */
  maxDepth?: number;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function invalid(message: string): never {
  throw new VouchError('INVALID_JSON', message);
}

/**
 * Parses JSON for signed or hashed documents, where two parsers must never disagree about what was signed.
 * On top of RFC 8259 it rejects:
 * - duplicate member names, compared after unescaping (`DUPLICATE_KEY`);
 * - numbers that overflow to ±Infinity, and `NaN`/`Infinity` literals (`NON_FINITE_NUMBER`);
 * - nesting deeper than `maxDepth`, default 64 (`JSON_TOO_DEEP`);
 * - a byte-order mark, trailing data, invalid UTF-8 in byte input, and lone surrogates (escaped or raw), so
 *   every accepted document is I-JSON (RFC 7493) and canonicalizes without loss (`INVALID_JSON`).
 *
 * Returns plain values like `JSON.parse` (a `"__proto__"` member becomes an own property, never the prototype).
 * Numbers are JavaScript doubles: integers beyond 2^53 lose precision exactly as with `JSON.parse`.
 *
 * @example
 * ```ts
 * parseStrict('{"a":1}');        // { a: 1 }
 * parseStrict('{"a":1,"\\u0061":2}'); // throws DUPLICATE_KEY
 * ```
 */
export function parseStrict(input: string | Uint8Array, options: ParseStrictOptions = {}): JsonValue {
  const maxDepth = checkMaxDepth(options?.maxDepth);
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (input instanceof Uint8Array) {
    try {
      text = decodeUtf8(input);
    } catch {
      invalid('The JSON bytes are not valid UTF-8.');
    }
  } else {
    throw new VouchError('INVALID_ARGUMENT', 'Expected JSON as a string or UTF-8 bytes.');
  }
  if (text.charCodeAt(0) === 0xfeff) invalid('The JSON text starts with a byte-order mark.');
  // Decoded bytes hold no lone surrogate (the UTF-8 decoder is fatal); a string argument might.
  const fast = parseStrictFast(text, maxDepth, typeof input !== 'string');
  return fast !== undefined ? fast : parseStrictSlow(text, maxDepth);
}

/** Internal (exported for tests): the reference parser, which also words every refusal. */
export function parseStrictSlow(text: string, maxDepth: number): JsonValue {
  // Checked on the raw text, not only per parsed string: an escaped half beside a raw one would otherwise make a pair
  // that the same text's UTF-8 bytes (the raw half becomes U+FFFD) never give. The fast path leaves any such text here.
  if (hasLoneSurrogate(text)) invalid('The JSON text contains a lone surrogate, which is not I-JSON.');
  const p: Parser = { text, n: text.length, i: 0, maxDepth };
  const result = value(p, 0);
  ws(p);
  if (p.i < p.n) invalid(`Unexpected data after the JSON value at position ${p.i}.`);
  return result;
}

/**
 * Internal (exported for tests): the native `JSON.parse`, kept only when its answer is provably the one
 * {@link parseStrictSlow} gives; undefined otherwise (then the slow parser decides, and words any refusal).
 * - Only text without a backslash: no escapes, so every string in the result is, character for character, a string
 *   literal of the text (no `\u` lone surrogates; a raw one in string input is checked for unless `noSurrogates`).
 * - Both parsers accept the same RFC 8259 grammar (same whitespace, numbers, literals, control-character rule) and
 *   convert numbers alike; the result is walked for what JSON.parse lets through: ±Infinity, nesting too deep.
 * - Duplicate members are found by counting colons: outside strings the text has one per member. With no
 *   duplicate, the result holds every member and every string literal of the text, so its members plus the colons
 *   inside its strings (keys and values) equal the colons of the text. A duplicate drops at least one member (and
 *   what its value held), and nothing is ever added, so the total falls short. Own keys only, so a polluted
 *   Object.prototype cannot make up the difference.
 */
export function parseStrictFast(text: string, maxDepth: number, noSurrogates: boolean): JsonValue | undefined {
  if (text.indexOf('\\') >= 0) return undefined;
  if (!noSurrogates && hasLoneSurrogate(text)) return undefined;
  let result: JsonValue;
  try {
    result = JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
  tally = 0;
  if (!walk(result, 0, maxDepth)) return undefined;
  return tally === colonsIn(text) ? result : undefined;
}

// Members plus colons inside strings, counted by walk (module state: no closure or result object per parse).
let tally = 0;

function colonsIn(s: string): number {
  let n = 0;
  for (let i = s.indexOf(':'); i >= 0; i = s.indexOf(':', i + 1)) n++;
  return n;
}

// Same depth rule as value(): a container at nesting level `depth` (the top value is level 0) needs depth < maxDepth.
function walk(v: JsonValue, depth: number, maxDepth: number): boolean {
  if (typeof v === 'string') {
    tally += colonsIn(v);
    return true;
  }
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v !== 'object') return true;
  if (depth >= maxDepth) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!walk(v[i]!, depth + 1, maxDepth)) return false;
    return true;
  }
  const keys = Object.keys(v);
  tally += keys.length;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    tally += colonsIn(k);
    if (!walk(v[k]!, depth + 1, maxDepth)) return false;
  }
  return true;
}

// The parser's state, passed to module-level functions: closures created per call cost an allocation each (and,
// under tsx's keep-names transform, a wrapper call), which showed up in token verification profiles.
interface Parser {
  readonly text: string;
  readonly n: number;
  i: number;
  readonly maxDepth: number;
}

const HEX4 = /^[0-9a-fA-F]{4}$/;

function ws(p: Parser): void {
  const { text, n } = p;
  let i = p.i;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
  }
  p.i = i;
}

function unexpected(p: Parser): never {
  return p.i >= p.n
    ? invalid('The JSON text ends unexpectedly.')
    : invalid(`Unexpected character at position ${p.i} of the JSON text.`);
}

function string(p: Parser): string {
  const { text, n } = p;
  let i = p.i + 1; // opening quote
  let out = '';
  let start = i;
  let escaped = false;
  for (;;) {
    if (i >= n) invalid('The JSON text ends inside a string.');
    const c = text.charCodeAt(i);
    if (c === 0x22) break;
    if (c < 0x20) invalid(`Unescaped control character at position ${i} of the JSON text.`);
    if (c !== 0x5c) {
      i++;
      continue;
    }
    escaped = true;
    out += text.slice(start, i);
    const e = text[i + 1];
    if (e === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!HEX4.test(hex)) invalid(`Invalid \\u escape at position ${i} of the JSON text.`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 6;
    } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
      out += ESCAPES[e];
      i += 2;
    } else {
      invalid(`Invalid escape at position ${i} of the JSON text.`);
    }
    start = i;
  }
  out = escaped ? out + text.slice(start, i) : text.slice(start, i);
  p.i = i + 1; // closing quote
  if (hasLoneSurrogate(out)) invalid('A JSON string contains a lone surrogate, which is not I-JSON.');
  return out;
}

function number(p: Parser): number {
  const { text } = p;
  NUMBER.lastIndex = p.i;
  const m = NUMBER.exec(text);
  if (m === null) {
    if (text.startsWith('-Infinity', p.i)) throw new VouchError('NON_FINITE_NUMBER', 'JSON does not allow Infinity.');
    return unexpected(p);
  }
  p.i += m[0].length;
  const v = Number(m[0]);
  if (!Number.isFinite(v)) {
    throw new VouchError('NON_FINITE_NUMBER', `The number at position ${p.i - m[0].length} is too large for a double.`);
  }
  return v;
}

function literal(p: Parser, word: string, v: JsonValue): JsonValue {
  if (!p.text.startsWith(word, p.i)) unexpected(p);
  p.i += word.length;
  return v;
}

function value(p: Parser, depth: number): JsonValue {
  ws(p);
  const { text, i } = p;
  const c = text[i];
  if (c === '{' || c === '[') {
    if (depth >= p.maxDepth)
      throw new VouchError('JSON_TOO_DEEP', `The JSON text is nested deeper than ${p.maxDepth} levels.`);
    return c === '{' ? object(p, depth + 1) : array(p, depth + 1);
  }
  if (c === '"') return string(p);
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number(p);
  if (c === 't') return literal(p, 'true', true);
  if (c === 'f') return literal(p, 'false', false);
  if (c === 'n') return literal(p, 'null', null);
  if (text.startsWith('NaN', i) || text.startsWith('Infinity', i)) {
    throw new VouchError('NON_FINITE_NUMBER', 'JSON does not allow NaN or Infinity.');
  }
  return unexpected(p);
}

function object(p: Parser, depth: number): JsonValue {
  const { text } = p;
  p.i++; // {
  const out: { [member: string]: JsonValue } = {};
  ws(p);
  if (text[p.i] === '}') {
    p.i++;
    return out;
  }
  for (;;) {
    ws(p);
    if (text[p.i] !== '"') unexpected(p);
    const name = string(p);
    ws(p);
    if (text[p.i] !== ':') unexpected(p);
    p.i++;
    const v = value(p, depth);
    if (Object.hasOwn(out, name)) {
      throw new VouchError('DUPLICATE_KEY', `The JSON object has a duplicate member name before position ${p.i}.`);
    }
    // Plain assignment of "__proto__" would set the prototype; JSON.parse makes it an own property instead.
    if (name === '__proto__') {
      Object.defineProperty(out, name, { value: v, writable: true, enumerable: true, configurable: true });
    } else {
      out[name] = v;
    }
    ws(p);
    if (text[p.i] === ',') {
      p.i++;
      continue;
    }
    if (text[p.i] === '}') {
      p.i++;
      return out;
    }
    unexpected(p);
  }
}

function array(p: Parser, depth: number): JsonValue {
  const { text } = p;
  p.i++; // [
  const out: JsonValue[] = [];
  ws(p);
  if (text[p.i] === ']') {
    p.i++;
    return out;
  }
  for (;;) {
    out.push(value(p, depth));
    ws(p);
    if (text[p.i] === ',') {
      p.i++;
      continue;
    }
    if (text[p.i] === ']') {
      p.i++;
      return out;
    }
    unexpected(p);
  }
}
