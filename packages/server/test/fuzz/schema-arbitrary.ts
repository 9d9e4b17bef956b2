// Schema-aware values: mostly the right shape with wrong contents (boundary lengths, out-of-range numbers, known
// identifiers in the wrong place), with fields dropped, added or swapped for another JSON type at every depth.
// These reach handlers, where pure noise stops at validation.
import fc from 'fast-check';
import type { JsonSchema } from './openapi.ts';

/** A value of any JSON type: what "type-confused" substitutes for a field. */
export const confusedValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, -0, 1e308, -1e308, 2 ** 53 + 2, 0.5),
  fc.string({ maxLength: 16 }),
  fc.constantFrom('', ' ', 'null', 'true', '0', '[]', '{}'),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

/** Strings that have broken parsers before: control characters, lone surrogates, paths, prefixes without bodies. */
export const nastyString: fc.Arbitrary<string> = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202e',
  '../../../../etc/passwd',
  '%00',
  '%',
  'did:',
  'did:key:z',
  'did:identity:',
  'did:web:',
  'ed25519:',
  'ed25519:!!!',
  'eyJ',
  'eyJhbGciOiJub25lIn0.e30.',
  'a.b.c',
  '....',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  'constructor',
  '__proto__',
  'prototype',
  '1e999',
  '-0',
  'NaN',
  'ZZZZ'.repeat(300),
  '\u{1F600}'.repeat(100),
);

/** Values worth trying in any string slot: the world's real identifiers, tokens and keys (see world.ts). */
export interface Pools {
  strings: readonly string[];
}

function formatValue(format: unknown): fc.Arbitrary<string> {
  switch (format) {
    case 'date-time':
      return fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom('2026-13-45T99:99:99Z', '0000-00-00T00:00:00Z', '2026-01-01', '+275760-09-13T00:00:00.000Z'),
      );
    case 'uri':
    case 'url':
      return fc.oneof(
        fc.webUrl(),
        fc.constantFrom('javascript:alert(1)', 'http://', 'file:///etc/passwd', 'http://127.0.0.1:1/', '//x'),
      );
    case 'email':
      return fc.oneof(fc.emailAddress(), fc.constantFrom('@', 'a@', '@b'));
    case 'uuid':
      return fc.oneof(fc.uuid(), fc.constant('00000000-0000-0000-0000-00000000000g'));
    default:
      return fc.string({ maxLength: 32 });
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function stringArb(s: JsonSchema, pools: Pools): fc.Arbitrary<unknown> {
  const min = num(s.minLength) ?? 0;
  const max = num(s.maxLength);
  const cap = Math.min(max ?? 64, 64);
  const options: Array<fc.WeightedArbitrary<unknown>> = [
    { weight: 4, arbitrary: fc.string({ minLength: Math.min(min, cap), maxLength: cap }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: Math.min(min, cap), maxLength: cap }) },
    { weight: 1, arbitrary: formatValue(s.format) },
    { weight: 1, arbitrary: nastyString },
    { weight: 1, arbitrary: fc.constant('') },
  ];
  if (pools.strings.length > 0) options.push({ weight: 4, arbitrary: fc.constantFrom(...pools.strings) });
  if (max !== undefined && max < 2_000_000) options.push({ weight: 1, arbitrary: fc.constant('x'.repeat(max + 1)) });
  if (min > 0) options.push({ weight: 1, arbitrary: fc.constant('x'.repeat(min - 1)) });
  if (typeof s.pattern === 'string') {
    try {
      options.push({ weight: 4, arbitrary: fc.stringMatching(new RegExp(s.pattern)) });
    } catch {
      // a pattern JavaScript cannot compile as given: the other generators still run
    }
  }
  return fc.oneof(...options);
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<unknown> {
  const min = num(s.minimum) ?? num(s.exclusiveMinimum);
  const max = num(s.maximum) ?? num(s.exclusiveMaximum);
  const inRange = integer
    ? fc.integer({
        min: Math.max(min ?? -(2 ** 31), Number.MIN_SAFE_INTEGER),
        max: Math.min(max ?? 2 ** 31, Number.MAX_SAFE_INTEGER),
      })
    : fc.double({ min: min ?? -1e9, max: max ?? 1e9, noNaN: true });
  const edges = [0, -1, 1, 0.5, 2 ** 53, -(2 ** 53), 1e21, 1e308];
  if (min !== undefined) edges.push(min - 1, min);
  if (max !== undefined) edges.push(max + 1, max);
  return fc.oneof({ weight: 4, arbitrary: inRange }, { weight: 2, arbitrary: fc.constantFrom(...edges) });
}

/**
 * A value for `schema`, mostly well-typed. `depth` bounds recursion; past it (and now and then anywhere) a value of
 * another type stands in.
 */
export function fromSchema(schema: JsonSchema, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return confusedValue;
  const own = schemaOwn(schema, pools, depth);
  return fc.oneof({ weight: 12, arbitrary: own }, { weight: 1, arbitrary: confusedValue });
}

function schemaOwn(schema: JsonSchema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...(schema.enum as unknown[])) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      return fc.oneof(
        ...(branches as JsonSchema[]).map((b) => fromSchema({ ...schema, [key]: undefined, ...b }, pools, depth + 1)),
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
    return schemaOwn(merged, pools, depth);
  }
  const type = schema.type;
  if (Array.isArray(type)) {
    return fc.oneof(...(type as string[]).map((t) => schemaOwn({ ...schema, type: t }, pools, depth)));
  }
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
    case 'array':
      return arrayArb(schema, pools, depth);
    case 'object':
      return objectArb(schema, pools, depth);
    default:
      if (schema.properties !== undefined) return objectArb(schema, pools, depth);
      return confusedValue;
  }
}

function arrayArb(schema: JsonSchema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const item = fromSchema((schema.items as JsonSchema | undefined) ?? {}, pools, depth + 1);
  const minItems = num(schema.minItems) ?? 0;
  const maxItems = num(schema.maxItems);
  const options: Array<fc.WeightedArbitrary<unknown>> = [
    {
      weight: 6,
      arbitrary: fc.array(item, {
        minLength: Math.min(minItems, 4),
        maxLength: Math.max(Math.min(maxItems ?? 4, 4), Math.min(minItems, 4)),
      }),
    },
    { weight: 1, arbitrary: fc.constant([]) },
  ];
  // One past the limit: the cap must hold for long arrays too.
  if (maxItems !== undefined && maxItems < 2000) {
    options.push({ weight: 1, arbitrary: item.map((v) => Array.from({ length: maxItems + 1 }, () => v)) });
  }
  return fc.oneof(...options);
}

function objectArb(schema: JsonSchema, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const entries = Object.entries(props).map(([key, sub]) => {
    const value = fromSchema(sub, pools, depth + 1).map((v) => [key, v] as const);
    // Required fields are present 14 times in 15; optional ones half the time.
    return required.has(key)
      ? fc.oneof({ weight: 14, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) })
      : fc.option(value, { nil: undefined });
  });
  // An unknown field in one object in 8. (fc.option's freq is the odds of nil: `freq: 8` added one to 7 in 8, and with
  // one at every depth next to no body passed a closed schema, so the fuzz never got past validation to handlers.)
  const extra = fc.oneof(
    { weight: 7, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', '')),
        confusedValue,
      ),
    },
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([pairs, more]) => {
    const out: Record<string, unknown> = {};
    for (const p of pairs) if (p !== undefined) out[p[0]] = p[1];
    // defineProperty: a plain assignment of "__proto__" would set the prototype instead of adding a key.
    if (more !== undefined)
      Object.defineProperty(out, more[0], { value: more[1], enumerable: true, writable: true, configurable: true });
    return out;
  });
}
