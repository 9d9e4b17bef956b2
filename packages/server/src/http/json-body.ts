import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

/**
 * Deepest nesting of `[`/`{` in a JSON text, scanning bytes without recursion and skipping strings, so a hostile
 * body is measured before JSON.parse ever sees it. Stops early once `limit` is passed.
 */
export function jsonTextDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * Whether `text` holds at most `limit` opening brackets (`[` or `{`, in strings or not): then its depth cannot pass
 * `limit` and the character-by-character scan is not needed. Uses native indexOf, which is far cheaper per byte.
 */
function fewOpeners(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1)) {
      if (++count > limit) return false;
    }
  }
  return true;
}

function refuseProto(key: string, value: unknown): unknown {
  // JSON.parse makes "__proto__" an own property; Object.assign on such an object would then set the prototype.
  if (key === '__proto__') throw new ApiError('VALIDATION_FAILED', 'The key "__proto__" is not allowed.');
  return value;
}

// trim() would copy the body; \S is exactly what trim() keeps (ECMAScript WhiteSpace and LineTerminator).
const NOT_BLANK = /\S/;

/** Parses an API request body: depth limit first, then JSON.parse, refusing `__proto__` keys. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (NOT_BLANK.test(text) === false)
    throw new ApiError('INVALID_JSON', 'The request body is empty; send a JSON document.');
  if (!fewOpeners(text, maxDepth) && jsonTextDepth(text, maxDepth) > maxDepth) {
    throw new ApiError('JSON_TOO_DEEP', `The request body nests deeper than ${maxDepth} levels.`);
  }
  // The reviver costs time, so it runs only when the text could spell "__proto__" (plainly or with \u escapes).
  const suspicious = text.includes('proto') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, refuseProto) : JSON.parse(text);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('INVALID_JSON', 'The request body is not valid JSON.');
  }
}

/**
 * Replaces Fastify's parsers: only `application/json` (and `+json`) bodies are accepted; any other content type
 * is a 415 from Fastify's content-type check, mapped by the error handler.
 */
export function installJsonBodyParser(app: FastifyInstance, maxDepth: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/([\w.-]+\+)?json(\s*;.*)?$/i,
    { parseAs: 'string' },
    (_req, body: string | Buffer, done) => {
      try {
        done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8'), maxDepth));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}
