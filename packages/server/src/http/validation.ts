import { Ajv } from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

// strictNumbers, which `strict: false` turns off: a body's `number` or `integer` field refuses Infinity (1e400 parses
// as it), bounds or not. A query's "Infinity" or "1e400" is coerced to Infinity after the type check, and Ajv then
// skips the bounds of a number that is not finite (strictNumbers: the type check is taken to have refused it), so
// the coercing validator checks for it after Ajv (refusingNonFinite).
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
    httpPart === 'body' ? strict.compile(schema as object) : refusingNonFinite(coercing.compile(schema as object)),
  );
}

/** The first number that is not finite in `value` (the coerced path, query or headers), as an Ajv instance path. */
function nonFinitePath(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return path;
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, c] of Object.entries(v)) {
        stack.push([c, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
      }
    }
  }
  return undefined;
}

/**
 * A coercing validator that also refuses what it coerced to a number that is not finite (`?limit=Infinity`), bounds
 * or not, as Ajv's type check refuses one in a body: the handler would otherwise get Infinity, past every bound.
 * Fastify calls it as it calls Ajv's own (with `parentData`, as it has a `schemaEnv`).
 */
function refusingNonFinite(validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) => {
    if (!validate(data, dataCxt)) {
      wrapped.errors = validate.errors;
      return false;
    }
    // Ajv coerced the members of `data` in place (path, query and header schemas are objects).
    const at = nonFinitePath(data);
    if (at === undefined) {
      wrapped.errors = null;
      return true;
    }
    const issue: ErrorObject = {
      keyword: 'type',
      instancePath: at,
      schemaPath: '#',
      params: {},
      message: 'must be a finite number',
    };
    wrapped.errors = [issue];
    return false;
  }) as ValidateFunction;
  Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv });
  return wrapped;
}

export type { FastifySchema };
