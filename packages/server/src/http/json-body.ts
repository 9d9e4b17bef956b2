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
 * How many opening brackets (`[` or `{`, in strings or not) `text` holds, counting no further than `limit + 1`.
 * Uses native indexOf, which is far cheaper per byte than a character loop.
 */
function countOpeners(text: string, limit = Infinity): number {
  let count = 0;
  for (const opener of ['{', '[']) {
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1)) {
      if (++count > limit) return count;
    }
  }
  return count;
}

/**
 * Depth of a parsed JSON value (without recursion), stopping once past `limit`, and how many arrays and objects it
 * holds. Never called on values with a "__proto__" own key (those texts take the reviver path).
 */
function valueDepth(value: unknown, limit: number): { depth: number; containers: number } {
  if (typeof value !== 'object' || value === null) return { depth: 0, containers: 0 };
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  let max = 0;
  let containers = 0;
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown> | unknown[];
    const d = depths.pop()!;
    containers++;
    if (d > max) {
      max = d;
      if (max > limit) break;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c = v[i];
        if (typeof c === 'object' && c !== null) {
          stack.push(c);
          depths.push(d + 1);
        }
      }
    } else {
      // Own values only (JSON.parse makes nothing else), whatever Object.prototype holds.
      for (const c of Object.values(v)) {
        if (typeof c === 'object' && c !== null) {
          stack.push(c);
          depths.push(d + 1);
        }
      }
    }
  }
  return { depth: max, containers };
}

function tooDeep(maxDepth: number): ApiError {
  return new ApiError('JSON_TOO_DEEP', `The request body nests deeper than ${maxDepth} levels.`);
}

function refuseProto(key: string, value: unknown): unknown {
  // JSON.parse makes "__proto__" an own property; Object.assign on such an object would then set the prototype.
  if (key === '__proto__') throw new ApiError('VALIDATION_FAILED', 'The key "__proto__" is not allowed.');
  return value;
}

// trim() would copy the body; \S is exactly what trim() keeps (ECMAScript WhiteSpace and LineTerminator).
const NOT_BLANK = /\S/;

/**
 * Parses an API request body: JSON.parse (refusing `__proto__` keys), with a nesting limit that gives the answer
 * of the text scan `jsonTextDepth` (JSON_TOO_DEEP before INVALID_JSON) without scanning every character of the
 * usual body. V8's JSON.parse does not recurse, so parsing a deep text first is safe; the parsed value's depth
 * equals the text's whenever every bracket of the text became an array or object of the value (none inside a
 * string, none dropped with a repeated key), which one count of brackets confirms. Otherwise, and for texts that
 * need the reviver (which recurses), the text is scanned first as before.
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (NOT_BLANK.test(text) === false)
    throw new ApiError('INVALID_JSON', 'The request body is empty; send a JSON document.');
  // The reviver costs time, so it runs only when the text could spell "__proto__" (plainly or with \u escapes).
  const suspicious = text.includes('proto') || text.includes('\\u');
  const openers = countOpeners(text, maxDepth);
  if (suspicious && openers > maxDepth && jsonTextDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
  let value: unknown;
  try {
    value = suspicious ? JSON.parse(text, refuseProto) : JSON.parse(text);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (!suspicious && openers > maxDepth && jsonTextDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
    throw new ApiError('INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (!suspicious && openers > maxDepth) {
    const { depth, containers } = valueDepth(value, maxDepth);
    if (depth > maxDepth) throw tooDeep(maxDepth);
    if (containers !== countOpeners(text) && jsonTextDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
  }
  return value;
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
