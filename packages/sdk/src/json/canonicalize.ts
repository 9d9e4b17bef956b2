import { VouchError } from '../errors.ts';
import { checkMaxDepth, hasLoneSurrogate } from './types.ts';

export interface CanonicalizeOptions {
  /** Deepest allowed nesting of objects and arrays (default 64, as `parseStrict`). */
  maxDepth?: number;
}

/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by the UTF-16 code units of their names, no
 * whitespace, numbers in ECMAScript `Number.prototype.toString` form, strings escaped exactly as `JSON.stringify`
 * does. Sign or hash the UTF-8 bytes of the result.
 *
 * Accepts only JSON data: `null`, booleans, finite numbers, strings without lone surrogates (I-JSON), arrays and
 * plain objects. Anything else throws rather than being silently dropped or converted as `JSON.stringify` would:
 * `NON_FINITE_NUMBER` (NaN, ±Infinity), `UNSUPPORTED_JSON_VALUE` (undefined, functions, symbols, BigInt, array
 * holes, Date/Map/class instances — `toJSON` is not called —, lone surrogates), `JSON_CYCLE`, `JSON_TOO_DEEP`.
 *
 * @example
 * ```ts
 * canonicalize({ b: [1e30, 4.50], a: 'é' }); // '{"a":"é","b":[1e+30,4.5]}'
 * ```
 */
export function canonicalize(value: unknown, options: CanonicalizeOptions = {}): string {
  const maxDepth = checkMaxDepth(options?.maxDepth);
  const ancestors: object[] = [];

  const serialize = (v: unknown): string => {
    switch (typeof v) {
      case 'string':
        if (hasLoneSurrogate(v)) {
          throw new VouchError('UNSUPPORTED_JSON_VALUE', 'A string contains a lone surrogate, which is not I-JSON.');
        }
        return JSON.stringify(v);
      case 'number':
        if (!Number.isFinite(v)) throw new VouchError('NON_FINITE_NUMBER', 'JSON cannot represent NaN or Infinity.');
        // ECMAScript Number::toString is exactly JCS's number form (and turns -0 into "0").
        return String(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object':
        if (v === null) return 'null';
        return container(v);
      default:
        throw new VouchError('UNSUPPORTED_JSON_VALUE', `A ${typeof v} value cannot be represented in JSON.`);
    }
  };

  const container = (v: object): string => {
    if (ancestors.includes(v)) throw new VouchError('JSON_CYCLE', 'The value contains a reference cycle.');
    if (ancestors.length >= maxDepth) {
      throw new VouchError('JSON_TOO_DEEP', `The value is nested deeper than ${maxDepth} levels.`);
    }
    ancestors.push(v);
    let out: string;
    if (Array.isArray(v)) {
      const parts: string[] = [];
      for (let i = 0; i < v.length; i++) {
        if (!Object.hasOwn(v, i))
          throw new VouchError('UNSUPPORTED_JSON_VALUE', 'An array has a hole, which JSON cannot represent.');
        parts.push(serialize(v[i]));
      }
      out = '[' + parts.join(',') + ']';
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new VouchError('UNSUPPORTED_JSON_VALUE', 'Only plain objects and arrays can be canonicalized.');
      }
      const record = v as Record<string, unknown>;
      // Array.prototype.sort without a comparator orders by UTF-16 code units, as RFC 8785 §3.2.3 requires.
      const names = Object.keys(record).sort();
      const parts: string[] = [];
      for (const name of names) parts.push(serialize(name) + ':' + serialize(record[name]));
      out = '{' + parts.join(',') + '}';
    }
    ancestors.pop();
    return out;
  };

  return serialize(value);
}
