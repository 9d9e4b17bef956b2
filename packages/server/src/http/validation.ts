import { Ajv } from 'ajv';
import type { Options } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

// strictNumbers, which `strict: false` turns off: a body's `number` or `integer` field refuses Infinity (1e400 parses
// as it), bounds or not. A query's "Infinity" is coerced after the type check, so query numbers need their bounds.
const common: Options = {
  allErrors: false,
  strict: false,
  strictNumbers: true,
  useDefaults: true,
  removeAdditional: false,
};

/**
 * Two validators: request bodies are checked strictly (no type coercion: `"1"` is not a number, unknown fields
 * are refused where a schema says so), while path, query and header values — always strings on the wire — are
 * coerced to the types their schemas name.
 */
export function installValidators(app: FastifyInstance): void {
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, coercing]) {
    addFormats(ajv);
    // OpenAPI-only keywords that route schemas may carry.
    ajv.addKeyword({ keyword: 'example' });
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema as object) : coercing.compile(schema as object),
  );
}

export type { FastifySchema };
