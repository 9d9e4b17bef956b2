import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

declare global {
  interface String {
    /** ES2024, in Node since 20: false when the string holds a lone surrogate. */
    isWellFormed(): boolean;
  }
}

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

/** What the walk of a parsed body found wrong first: a "__proto__" key, or a key or string that is not UTF-16. */
interface Flaw {
  kind: 'proto' | 'key' | 'string' | 'body';
  /** The array or object holding it (none when the body itself is the string). */
  holder: unknown;
}

/**
 * Depth and containers of a parsed value (depth counted only up to `limit`), its first flaw if asked, and its
 * member names plus, when asked, the colons inside its strings (keys and values): see {@link findDuplicateName}.
 */
interface Walk {
  depth: number;
  containers: number;
  flaw: Flaw | undefined;
  names: number;
}

/** Occurrences of `:` in `s`, with native indexOf. */
function colonsIn(s: string): number {
  return occurrences(s, ':');
}

function occurrences(s: string, needle: string): number {
  let n = 0;
  for (let i = s.indexOf(needle); i !== -1; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Whether `text` holds JSON whitespace right before a colon (`"a" : 1`), which hides a name's `":`. */
function spaceBeforeColon(text: string): boolean {
  return text.includes(' :') || text.includes('\n:') || text.includes('\r:') || text.includes('\t:');
}

/**
 * Walks a parsed JSON value without recursion: its depth, stopping once past `limit`, how many arrays and objects
 * it holds, and, when `check` is set, the first "__proto__" own key (JSON.parse makes it an own property, which
 * Object.assign would turn into a prototype) or key or string that is not well-formed UTF-16 (a lone surrogate,
 * which the databases would store as U+FFFD: no longer the string the request carried). With `limit` Infinity the
 * walk stops at the first flaw; otherwise it goes on counting, since a deep value is refused first. The stacks are
 * made only when a container holds another one: a flat object costs one loop over its members. It counts the
 * member names in `names`, adding the colons inside strings when `strings` is set.
 */
function walkValue(value: unknown, limit: number, check: boolean, strings: boolean): Walk {
  const out: Walk = { depth: 0, containers: 0, flaw: undefined, names: 0 };
  if (typeof value !== 'object' || value === null) {
    if (check && typeof value === 'string' && !value.isWellFormed()) out.flaw = { kind: 'body', holder: undefined };
    return out;
  }
  let stack: object[] | undefined;
  let depths: number[] | undefined;
  let v: object = value;
  let d = 1;
  for (;;) {
    out.containers++;
    if (d > out.depth) {
      out.depth = d;
      if (d > limit) return out;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (typeof c === 'object') {
          if (c !== null) {
            (stack ??= []).push(c);
            (depths ??= []).push(d + 1);
          }
        } else if (typeof c === 'string') {
          if (strings) out.names += colonsIn(c);
          if (check && !c.isWellFormed()) {
            out.flaw = { kind: 'string', holder: v };
            if (limit === Infinity) return out;
            check = false;
          }
        }
      }
    } else {
      // Own members only (JSON.parse makes nothing else), whatever Object.prototype holds.
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        const c: unknown = (v as Record<string, unknown>)[k];
        out.names++;
        if (strings) out.names += colonsIn(k) + (typeof c === 'string' ? colonsIn(c) : 0);
        if (check && (k === '__proto__' || !k.isWellFormed() || (typeof c === 'string' && !c.isWellFormed()))) {
          out.flaw = { kind: k === '__proto__' ? 'proto' : k.isWellFormed() ? 'string' : 'key', holder: v };
          if (limit === Infinity) return out;
          check = false;
        }
        if (typeof c === 'object' && c !== null) {
          (stack ??= []).push(c);
          (depths ??= []).push(d + 1);
        }
      }
    }
    if (stack === undefined || stack.length === 0) return out;
    v = stack.pop()!;
    d = depths!.pop()!;
  }
}

/** `body.a[0].b`, the path of `target` (an array or object) in `root`, in the error handler's notation. */
function pathTo(root: unknown, target: unknown): string {
  const stack: Array<[unknown, string]> = [[root, 'body']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === target) return path;
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, c] of Object.entries(v)) {
      if (typeof c !== 'object' || c === null) continue;
      if (Array.isArray(v)) stack.push([c, `${path}[${k}]`]);
      else if (/^[A-Za-z_$][\w$]{0,63}$/.test(k)) stack.push([c, `${path}.${k}`]);
      else stack.push([c, `${path}[${JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}...` : k)}]`]);
    }
  }
  return 'body';
}

function flawError(value: unknown, flaw: Flaw): ApiError {
  if (flaw.kind === 'proto') return new ApiError('VALIDATION_FAILED', 'The key "__proto__" is not allowed.');
  const where = flaw.kind === 'body' ? 'body' : pathTo(value, flaw.holder);
  const what = flaw.kind === 'key' ? `a key of ${where}` : flaw.kind === 'string' ? `a string in ${where}` : where;
  return new ApiError(
    'INVALID_JSON',
    `The request body holds text that is not well-formed Unicode (a lone UTF-16 surrogate such as \\ud800) at ${what}.`,
  );
}

/**
 * The first member name that one object of `text` repeats, compared after unescaping (`"a"` and `"\u0061"` are one
 * name), or undefined. `text` must be valid JSON (JSON.parse accepted it): one pass without recursion, a Set of
 * names per open object (a Set, so "__proto__" or "constructor" is a name like any other), strings skipped with
 * native indexOf. JSON.parse keeps the last of repeated members, while a proxy or audit tool may read the first:
 * the two would act on different requests, so a body that repeats a name is refused.
 */
export function findDuplicateName(text: string): string | undefined {
  const outer: Array<Set<string> | undefined> = [];
  let names: Set<string> | undefined; // the innermost open container's, when it is an object
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        let b = end - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((end - 1 - b) % 2 === 0) break; // not escaped: an even run of backslashes before it
      }
      if (expectName) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (names!.has(name)) return name;
        names!.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === 0x7b) {
      outer.push(names);
      names = new Set();
      expectName = true;
    } else if (c === 0x5b) {
      outer.push(names);
      names = undefined;
    } else if (c === 0x7d || c === 0x5d) {
      names = outer.pop();
      expectName = false;
    } else if (c === 0x2c) expectName = names !== undefined;
  }
  return undefined;
}

function duplicateError(name: string): ApiError {
  const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name);
  return new ApiError(
    'INVALID_JSON',
    `The request body repeats the member name ${shown} in one object; each name may appear once per object.`,
  );
}

function tooDeep(maxDepth: number): ApiError {
  return new ApiError('JSON_TOO_DEEP', `The request body nests deeper than ${maxDepth} levels.`);
}

// trim() would copy the body; \S is exactly what trim() keeps (ECMAScript WhiteSpace and LineTerminator).
const NOT_BLANK = /\S/;

/**
 * Parses an API request body: JSON.parse, refusing `__proto__` keys (VALIDATION_FAILED) and keys or strings that
 * are not well-formed UTF-16 (INVALID_JSON), with a nesting limit that gives the answer of the text scan
 * `jsonTextDepth` (JSON_TOO_DEEP before INVALID_JSON, then the rest) without scanning every character of the usual
 * body. V8's JSON.parse does not recurse, so parsing a deep text first is safe; the parsed value's depth equals the
 * text's whenever every bracket of the text became an array or object of the value (none inside a string, none
 * dropped with a repeated key), which one count of brackets confirms; otherwise the text is scanned as well. One
 * walk of the value measures depth and looks for the flaws, and it runs only when the text could hold one of them
 * or could nest too deep, or holds an object with a member.
 *
 * A member name repeated in one object is refused (INVALID_JSON, after JSON_TOO_DEEP and before the flaws). The
 * walk counts the value's member names, and a count of separators in the text (native indexOf) that the names
 * reach proves that no member was dropped, hence no name repeated, since a repeat drops one and adds none. Outside
 * strings the text holds one `:` per member, right after the name's closing quote unless whitespace comes between:
 * so the separators are the `":` of the text when no whitespace precedes a colon anywhere (a `":` inside a string
 * only adds to the count), and its colons otherwise, the walk then adding those of the value's strings (unless
 * the text holds a `\u003a` escape, the only way to write a colon without one) so that a URL or a timestamp keeps
 * the proof. Only a count that falls short runs the exact scan, {@link findDuplicateName}.
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (NOT_BLANK.test(text) === false)
    throw new ApiError('INVALID_JSON', 'The request body is empty; send a JSON document.');
  // "__proto__" needs "proto" or a \u escape; a lone surrogate needs a \u escape or a text that is not UTF-16
  // itself (never one decoded from UTF-8 bytes; isWellFormed answers at once for a one-byte string).
  const escapes = text.includes('\\u');
  const check = escapes || text.includes('proto') || !text.isWellFormed();
  const openers = countOpeners(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (openers > maxDepth && jsonTextDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
    throw new ApiError('INVALID_JSON', 'The request body is not valid JSON.');
  }
  const measure = openers > maxDepth;
  // At least one separator per member of the text; the colons inside strings counted as well when `strings`.
  let separators = 0;
  let strings = false;
  // A repeat needs two members, hence two colons: `{"token": "..."}` is parsed and nothing more.
  if (typeof value === 'object' && value !== null && text.indexOf(':', text.indexOf(':') + 1) > 0) {
    if (!spaceBeforeColon(text)) separators = occurrences(text, '":');
    else {
      separators = colonsIn(text);
      // Only \u003a (either case) writes a colon without one: otherwise a string holds the colons of its literal.
      strings = !(escapes && (text.includes('\\u003a') || text.includes('\\u003A')));
    }
  }
  const names = separators > 1;
  if (!measure && !check && !names) return value;
  const walk = walkValue(value, measure ? maxDepth : Infinity, check, names && strings);
  const { depth, containers, flaw } = walk;
  if (measure) {
    if (depth > maxDepth) throw tooDeep(maxDepth);
    if (containers !== countOpeners(text) && jsonTextDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
  }
  // A flaw stops the walk before it counted every name; the scan then decides (the body is refused either way).
  if (names && (flaw !== undefined || walk.names !== separators)) {
    const name = findDuplicateName(text);
    if (name !== undefined) throw duplicateError(name);
  }
  if (flaw !== undefined) throw flawError(value, flaw);
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
    // Bytes, not Fastify's string: its decoder reads bytes that are not UTF-8 as U+FFFD, a string nobody sent.
    { parseAs: 'buffer' },
    (req, body: string | Buffer, done) => {
      try {
        // No content coding is decoded here: a gzip body read as the JSON text would be "not JSON", or worse, JSON.
        const coding = req.headers['content-encoding'];
        if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
          throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body without a Content-Encoding.');
        }
        if (typeof body !== 'string' && !isUtf8(body)) {
          throw new ApiError('INVALID_JSON', 'The request body is not UTF-8 (RFC 8259 §8.1).');
        }
        done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8'), maxDepth));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}
