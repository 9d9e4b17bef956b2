// Values that satisfy a schema: what a correct client sends. schema-arbitrary.ts spoils most values on purpose (a
// field dropped, added or retyped somewhere), so its bodies seldom pass a route's validation; these always aim to, so
// that every handler is fuzzed with well-formed input too (pool identifiers, boundary lengths, in-range numbers).
import fc from 'fast-check';
import type { JsonSchema } from './openapi.ts';
import type { Pools } from './schema-arbitrary.ts';

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function patternOf(s: JsonSchema): RegExp | undefined {
  if (typeof s.pattern !== 'string') return undefined;
  try {
    return new RegExp(s.pattern, 'u');
  } catch {
    return undefined;
  }
}

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  'date-time': fc
    .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true })
    .map((d) => d.toISOString()),
  uri: fc.webUrl(),
  url: fc.webUrl(),
  email: fc.emailAddress(),
  uuid: fc.uuid(),
};

function stringArb(s: JsonSchema, pools: Pools): fc.Arbitrary<string> {
  const min = num(s.minLength) ?? 0;
  const max = num(s.maxLength) ?? Infinity;
  const pattern = patternOf(s);
  const fits = (v: string) => {
    const length = [...v].length;
    return length >= min && length <= max && (pattern === undefined || pattern.test(v));
  };
  const options: Array<fc.Arbitrary<string>> = [];
  const known = pools.strings.filter(fits);
  if (known.length > 0) options.push(fc.constantFrom(...known));
  const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
  if (format !== undefined) options.push(format.filter(fits));
  if (pattern !== undefined) {
    try {
      options.push(fc.stringMatching(pattern).filter(fits));
    } catch {
      // a pattern fast-check cannot generate from: the pool values (if any) stand in
    }
  } else if (format === undefined) {
    options.push(fc.string({ minLength: Math.min(min, 64), maxLength: Math.min(max, Math.max(min, 64)) }));
  }
  // Nothing that can fit: a value the validator refuses, like the schema-aware fuzz's.
  return options.length === 0 ? fc.constant('x'.repeat(min)) : fc.oneof(...options);
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  const min = num(s.minimum) ?? (exMin === undefined ? undefined : exMin + (integer ? 1 : 1e-9));
  const max = num(s.maximum) ?? (exMax === undefined ? undefined : exMax - (integer ? 1 : 1e-9));
  if (integer) {
    const lo = Math.max(Math.ceil(min ?? -(2 ** 31)), Number.MIN_SAFE_INTEGER);
    const hi = Math.min(Math.floor(max ?? 2 ** 31), Number.MAX_SAFE_INTEGER);
    return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi));
  }
  return fc.double({ min: min ?? -1e9, max: max ?? 1e9, noNaN: true, noDefaultInfinity: true });
}

/** A value `schema` accepts (as far as the generators can tell: oneOf branches may overlap, patterns may resist). */
export function conformingFromSchema(schema: JsonSchema, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      return fc.oneof(
        ...(branches as JsonSchema[]).map((b) =>
          conformingFromSchema({ ...schema, [key]: undefined, ...b }, pools, depth),
        ),
      );
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged: JsonSchema = { ...schema, allOf: undefined };
    for (const part of schema.allOf as JsonSchema[]) {
      Object.assign(merged, part, {
        properties: { ...(merged.properties as object), ...(part.properties as object) },
        required: [...((merged.required as string[]) ?? []), ...((part.required as string[]) ?? [])],
      });
    }
    return conformingFromSchema(merged, pools, depth);
  }
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return stringArb(schema, pools);
    case 'integer':
      return numberArb(schema, true);
    case 'number':
      return numberArb(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minItems = num(schema.minItems) ?? 0;
      const maxItems = Math.max(minItems, Math.min(num(schema.maxItems) ?? 4, 4));
      const item = conformingFromSchema((schema.items as JsonSchema | undefined) ?? {}, pools, depth + 1);
      return fc.array(item, { minLength: minItems, maxLength: maxItems });
    }
    case 'object':
    case undefined: {
      if (type === undefined && schema.properties === undefined) return fc.constant('x');
      const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      // Past a few levels only what is required, so that recursive shapes stay small.
      const entries = Object.entries(props)
        .filter(([key]) => depth < 4 || required.has(key))
        .map(([key, sub]) => {
          const value = conformingFromSchema(sub, pools, depth + 1).map((v) => [key, v] as const);
          return required.has(key) ? value : fc.option(value, { nil: undefined, freq: 2 });
        });
      return fc.tuple(...entries).map((pairs) => {
        const out: Record<string, unknown> = {};
        for (const p of pairs) if (p !== undefined) out[p[0]] = p[1];
        return out;
      });
    }
    default:
      return fc.constant(null);
  }
}
