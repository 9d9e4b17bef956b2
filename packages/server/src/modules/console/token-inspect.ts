// `/tokens/inspect`: paste a JWT, see its decoded header and claims and the server's own verification of it.
// Works without JavaScript: a plain HTML form POSTs `application/x-www-form-urlencoded` (parsed for this route
// only; every other route keeps answering 415 to anything but JSON), so the token never appears in a URL. The
// verification is the tokens module's, as an anonymous caller: it never consumes a session nonce.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt, VouchError } from '@vouch/sdk';
import type { JwsHeader, JwtClaims } from '@vouch/sdk';
import type { AppContext } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { escapeHtml, formPageHeaders } from '../../web/html.ts';
import { href, page, when } from '../../web/layout.ts';
import { isTokenFailure, verifyToken } from '../tokens/service.ts';
import { sendPage } from '../../web/respond.ts';

/** Longer than any token the server issues, as on `POST /api/registry/verify`. */
const MAX_TOKEN_CHARS = 65_536;
const FORM_TYPE = 'application/x-www-form-urlencoded';
/**
 * No compact JWS holds whitespace: a token pasted from a wrapped terminal or mail carries line breaks or spaces that
 * are no part of it, and is inspected without them.
 */
const ASCII_WHITESPACE = /[\t\n\v\f\r ]/g;

type Verdict = { valid: true } | { valid: false; code: string; message: string };

interface Inspection {
  token: string;
  decoded?: { header: JwsHeader; claims: JwtClaims };
  verdict?: Verdict;
  /** Why the input is not a token at all (the page answers 400). */
  error?: string;
}

/** The largest body (form or JSON): a token of MAX_TOKEN_CHARS, encoded, with room for pasted line breaks. */
const MAX_FORM_BYTES = 4 * MAX_TOKEN_CHARS;
/** What the JSON body parser refuses a body with (`http/json-body.ts`): bad inspector input, answered by the page. */
const REFUSED_BODY_CODES: ReadonlySet<string> = new Set(['INVALID_JSON', 'JSON_TOO_DEEP', 'VALIDATION_FAILED']);

/**
 * Form fields as an object. A field given twice becomes a list of its values, which the route's schema then refuses
 * (which value would be meant?). Linear in the body: a value is appended, never the list copied, so a body of
 * thousands of repeated fields costs no more than its length.
 */
function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const seen = Object.hasOwn(out, k) ? out[k] : undefined;
    if (Array.isArray(seen)) {
      seen.push(v);
      continue;
    }
    // defineProperty: a field named "__proto__" stays a plain field.
    const value = seen === undefined ? v : [seen, v];
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const json = (value: unknown): string => escapeHtml(JSON.stringify(value, null, 2));

/** Claims that are times (seconds since the epoch), shown as dates next to the JSON. */
function times(claims: JwtClaims): string {
  const rows = (['iat', 'nbf', 'exp'] as const)
    .filter((k) => typeof claims[k] === 'number' && Number.isFinite(claims[k]))
    .map((k) => {
      const ms = (claims[k] as number) * 1000;
      const shown = Math.abs(ms) <= 8.64e15 ? when(ms) : 'out of range';
      return `<dt>${k}</dt><dd>${shown}</dd>`;
    });
  return rows.length === 0 ? '' : `<dl id="token-times">${rows.join('')}</dl>`;
}

function verdictHtml(v: Verdict): string {
  if (v.valid) {
    return `<p><span class="status status-valid" id="token-verdict">valid</span>
<span class="muted">signed by this server, unexpired, not revoked, its agent active</span></p>`;
  }
  return `<p><span class="status status-invalid" id="token-verdict">invalid</span> <code id="token-code">${escapeHtml(
    v.code,
  )}</code></p><p class="error" id="token-error">${escapeHtml(v.message)}</p>`;
}

function render(ctx: AppContext, i: Inspection | undefined): string {
  const form = `<form method="post" action="${href(ctx, '/tokens/inspect')}">
<p><label for="token">Token (JWT)</label></p>
<textarea id="token" name="token" rows="6" required spellcheck="false" autocomplete="off">${escapeHtml(
    i?.token ?? '',
  )}</textarea>
<button type="submit" id="inspect-button">Inspect</button>
</form>`;
  let result = '';
  if (i?.error !== undefined) {
    result = `<h2>Result</h2><p><span class="status status-invalid" id="token-verdict">not a token</span></p>
<p class="error" id="token-error">${escapeHtml(i.error)}</p>`;
  } else if (i?.decoded !== undefined && i.verdict !== undefined) {
    result = `<h2>Verification</h2>${verdictHtml(i.verdict)}
<h2>Header</h2><pre id="token-header">${json(i.decoded.header)}</pre>
<h2>Claims</h2>${times(i.decoded.claims)}<pre id="token-claims">${json(i.decoded.claims)}</pre>`;
  }
  const body = `<h1>Token inspector</h1>
<p class="muted">Paste an agent token (AIP JWT) issued by this server: its header and claims are decoded and the
server verifies it. The token is sent in the request body only, never in a URL, and is not stored.</p>
${form}
${result}`;
  return page(ctx, 'Token inspector — Vouch', body, { nav: 'tokens' });
}

/** Inspects `token` as pasted, without its whitespace; the form shows it back as pasted. */
async function inspect(ctx: AppContext, token: string): Promise<Inspection> {
  const compact = token.replace(ASCII_WHITESPACE, '');
  let decoded: Inspection['decoded'];
  try {
    decoded = decodeJwt(compact, MAX_TOKEN_CHARS);
  } catch (err) {
    if (err instanceof VouchError) return { token, error: err.message };
    throw err;
  }
  let verdict: Verdict;
  try {
    await verifyToken(ctx, compact);
    verdict = { valid: true };
  } catch (err) {
    // A refusal of the token is a verdict; the server's own failures (the database) go to the error handler.
    if (!isTokenFailure(err)) throw err;
    verdict = { valid: false, code: err.code, message: err.message };
  }
  return { token, decoded, verdict };
}

function send(ctx: AppContext, reply: FastifyReply, i: Inspection | undefined, status = 200): FastifyReply {
  // The answer may echo a token: never cached.
  return sendPage(reply, render(ctx, i), {
    status,
    headers: { ...formPageHeaders(), 'cache-control': 'no-store' },
  });
}

export async function registerTokenInspector(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const rateLimit = { max: ctx.config.tokenRateLimits.verify, windowMs: ctx.config.rateLimitWindowMs };
  // An encapsulated scope, so the form parser exists for these routes only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    // A JSON body the parser refused (a repeated member, as a repeated form field; not JSON; too deep) is bad input
    // like any other: the 400 page. Everything else (413, 415, 429, the database) goes on to the app's handler.
    scope.setErrorHandler((err, req, reply) => {
      if (
        req.method === 'POST' &&
        req.body === undefined &&
        err instanceof ApiError &&
        REFUSED_BODY_CODES.has(err.code)
      ) {
        return send(ctx, reply, { token: '', error: err.message }, 400);
      }
      throw err;
    });

    scope.get(
      '/tokens/inspect',
      {
        config: { policy: { caller: 'public', rateLimit: 'default' } },
        schema: { summary: 'Web console: the token inspector form.', tags: ['console'] },
      },
      async (_req, reply) => send(ctx, reply, undefined),
    );

    scope.post(
      '/tokens/inspect',
      {
        attachValidation: true,
        // Its own bound, set here, so installBodyLimits leaves it alone: VOUCH_BODY_LIMIT still caps it.
        bodyLimit: Math.min(MAX_FORM_BYTES, ctx.config.bodyLimit),
        config: { policy: { caller: 'public', rateLimit } },
        schema: {
          summary:
            'Web console: decode a token (form field or JSON member `token`) and verify it as an anonymous caller.',
          tags: ['console'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['token'],
            // The raw field may hold whitespace beyond the token's own bound: `inspect` bounds the token without it.
            properties: { token: { type: 'string', maxLength: MAX_FORM_BYTES } },
          },
        },
      },
      async (req: FastifyRequest, reply) => {
        if (req.validationError !== undefined) {
          return send(ctx, reply, { token: '', error: 'Send one form field, "token", with a JWT in it.' }, 400);
        }
        const token = (req.body as { token: string }).token.trim();
        if (token === '') return send(ctx, reply, { token, error: 'Paste a token first.' }, 400);
        const inspection = await inspect(ctx, token);
        return send(ctx, reply, inspection, inspection.error === undefined ? 200 : 400);
      },
    );
  });
}
