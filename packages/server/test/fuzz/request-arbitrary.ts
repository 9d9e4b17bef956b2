// Whole requests for one route: path, query string, headers and body, either conforming to the route's schema (what a
// correct client sends), schema-aware (right shape, wrong values) or noise (malformed, oversized, deeply nested, wrong
// content type), with and without real credentials.
import fc from 'fast-check';
import type { PrivateKey } from '@vouch/sdk';
import type { FuzzRoute } from './openapi.ts';
import { conformingFromSchema } from './conforming-arbitrary.ts';
import { confusedValue, fromSchema, nastyString } from './schema-arbitrary.ts';
import type { Pools } from './schema-arbitrary.ts';

export interface FuzzRequest {
  method: FuzzRoute['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /**
   * Sign the final request as {@link FuzzCredentials.signer} when it is sent (the signature covers the time, which
   * only the sender knows): see signFuzzRequest.
   */
  sign?: true;
}

/** What the world offers requests: credentials and known identifiers (see world.ts). */
export interface FuzzCredentials extends Pools {
  adminKey: string;
  /** Bearer secrets that authenticate someone (owner API keys, management tokens). */
  bearers: readonly string[];
  /** DIDs of registered agents, for the agent-signature headers. */
  agents: readonly string[];
  /** An agent whose private key the test holds, so that agent-signed routes get requests that are signed. */
  signer: { did: string; slug: string; privateKey: PrivateKey };
}

/** Whether the route accepts a request signed by the agent's key (`agentSignature` in its OpenAPI security). */
export function acceptsAgentSignature(route: FuzzRoute): boolean {
  return route.security.includes('agentSignature');
}

// Headers that would stand beside a valid signature as a second credential, or break the framing it signs.
const NOT_WITH_SIGNATURE = /^(authorization|x-api-key|x-vouch-.*|content-length|transfer-encoding)$/;

/** Printable ASCII only: anything else is refused by Node's HTTP layer before a server could see it. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

const contentTypes = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json;',
      'APPLICATION/JSON',
      'application/merge-patch+json',
      'application/vnd.vouch+json; v=1',
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      'application/',
      ';',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: headerText(40) },
);

/** Bodies that are not what any schema asks for. */
function noiseBody(bodyLimit: number): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
    fc.constantFrom('', ' ', 'null', 'true', '0', '"x"', '[]', '{}', '{"a":', '{"a":1,}', "{'a':1}", '\ufeff{}', 'NaN'),
    fc.constantFrom(
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"\\u005f_proto__":{"polluted":true}}',
      '{"a":1,"a":2}',
      '[1e999]',
      '{"n":-0}',
      `{"n":${'9'.repeat(400)}}`,
    ),
    // Deep nesting, both just past the configured limit and far past it.
    fc.integer({ min: 60, max: 20_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 60, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    fc.integer({ min: 60, max: 5_000 }).map((n) => '['.repeat(n)),
    // Oversized: past the body limit, as a JSON string and as a long array.
    fc.constant(`"${'x'.repeat(bodyLimit + 1)}"`),
    fc.constant(`[${'1,'.repeat(Math.ceil(bodyLimit / 2))}1]`),
  );
}

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, where encodeURIComponent would throw). */
export function encodePart(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function encodedSegment(value: unknown): string {
  return encodePart(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
}

function pathValue(schema: Record<string, unknown>, pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fromSchema(schema, pools).map(encodedSegment) },
    { weight: 4, arbitrary: fc.constantFrom(...pools.strings, 'x').map(encodePart) },
    { weight: 1, arbitrary: nastyString.map(encodePart) },
    // Broken percent-encoding and a segment past the router's parameter length.
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%zz', '%c0%af', '%00', '%ff%fe', 'a%2Fb', '..', '.', 'x'.repeat(600)),
    },
  );
}

function queryString(route: FuzzRoute, pools: Pools): fc.Arbitrary<string> {
  const declared = route.queryParams.map((p) =>
    fc.option(
      fc.oneof(
        fromSchema(p.schema, pools).map((v) => `${p.name}=${encodedSegment(v)}`),
        // Repeated keys arrive as arrays.
        fc
          .tuple(fromSchema(p.schema, pools), fromSchema(p.schema, pools))
          .map(([a, b]) => `${p.name}=${encodedSegment(a)}&${p.name}=${encodedSegment(b)}`),
        fc.constantFrom(`${p.name}`, `${p.name}=`, `${p.name}[]=1`, `${p.name}[a]=1`, `${p.name}=%`),
      ),
      { nil: undefined, freq: 3 },
    ),
  );
  const extra = fc.option(
    fc.oneof(
      fc.tuple(fc.string({ maxLength: 8 }), confusedValue).map(([k, v]) => `${encodePart(k)}=${encodedSegment(v)}`),
      fc.constantFrom('&&&', '=', '==', '%', '%zz=1', '__proto__[x]=1', 'a=' + 'b'.repeat(5000)),
    ),
    { nil: undefined, freq: 4 },
  );
  const spoilt = fc.tuple(fc.tuple(...declared), extra).map(([parts, more]) => {
    const all = [...parts, more].filter((p): p is string => p !== undefined);
    return all.length === 0 ? '' : `?${all.join('&')}`;
  });
  // Query strings the route's schema accepts (every required parameter, each value conforming), so that handlers
  // behind a query schema are fuzzed too: spoilt values alone left GET /api/v1/signatures/verify refused by its
  // validator in every case.
  const accepted = fc
    .tuple(
      ...route.queryParams.map((p) => {
        const pair = conformingFromSchema(p.schema, pools).map((v) => `${p.name}=${encodedSegment(v)}`);
        return p.required ? pair : fc.option(pair, { nil: undefined });
      }),
    )
    .map((parts) => {
      const all = parts.filter((p): p is string => p !== undefined);
      return all.length === 0 ? '' : `?${all.join('&')}`;
    });
  return fc.oneof(spoilt, accepted);
}

function headersArb(creds: FuzzCredentials, hasBody: boolean): fc.Arbitrary<Record<string, string>> {
  const opt = <T>(a: fc.Arbitrary<T>, freq = 2) => fc.option(a, { nil: undefined, freq });
  const authorization = opt(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...creds.bearers).map((b) => `Bearer ${b}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'bearer x', `Bearer ${creds.adminKey}`),
      },
      { weight: 1, arbitrary: headerText(80).map((s) => `Bearer ${s}`) },
      { weight: 1, arbitrary: headerText(80) },
      { weight: 1, arbitrary: fc.constant(`Bearer ${'a'.repeat(2000)}`) },
    ),
  );
  const apiKey = opt(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(creds.adminKey) },
      { weight: 1, arbitrary: fc.constantFrom(`${creds.adminKey}x`, creds.adminKey.slice(1), '', 'x'.repeat(5000)) },
      { weight: 1, arbitrary: headerText(40) },
    ),
  );
  const forwardedFor = opt(
    fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom('unknown', '', ',', '1.2.3.4, 5.6.7.8', '::ffff:127.0.0.1', '999.999.999.999', '[::1]:80'),
      headerText(60),
    ),
    3,
  );
  const signed = opt(
    fc.record({
      'x-vouch-agent': fc.oneof(fc.constantFrom(...creds.agents, 'did:key:z'), headerText(40)),
      'x-vouch-signed-at': fc.oneof(fc.integer().map(String), fc.constantFrom('1767225600000', '-1', '1e3', 'x', '')),
      'x-vouch-content-sha256': fc.oneof(
        fc.constant('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
        headerText(64),
      ),
      'x-vouch-signature': fc.oneof(fc.base64String({ maxLength: 100 }), headerText(40)),
    }),
    4,
  );
  const misc = opt(
    fc.record(
      {
        'if-none-match': fc.oneof(headerText(40), fc.constantFrom('*', '"x"', 'W/"x"')),
        accept: fc.constantFrom('text/html', 'application/json', '*/*', 'image/png', ''),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', 'x'),
        origin: fc.constantFrom('https://evil.example', 'null', ''),
        'content-length': fc.constantFrom('0', '1', '99999999', '-1', 'x'),
        'transfer-encoding': fc.constantFrom('chunked', 'gzip'),
      },
      { requiredKeys: [] },
    ),
    3,
  );
  // One working credential and no other: the mixes above rarely leave a bearer alone (a second, wrong credential
  // is refused), so without these an owner-only route was never seen past its door.
  const clean = fc.oneof(
    fc.constantFrom(...creds.bearers).map((b) => ({ authorization: `Bearer ${b}` })),
    fc.constant({ 'x-api-key': creds.adminKey }),
  );
  return fc
    .record({
      contentType: hasBody ? opt(contentTypes, 12) : opt(contentTypes, 1),
      authorization,
      apiKey,
      forwardedFor,
      signed,
      misc,
      clean: fc.option(clean, { nil: undefined, freq: 2 }),
    })
    .map((h) => {
      const out: Record<string, string> = {};
      if (h.contentType !== undefined) out['content-type'] = h.contentType;
      if (h.clean !== undefined) Object.assign(out, h.clean);
      else {
        if (h.authorization !== undefined) out.authorization = h.authorization;
        if (h.apiKey !== undefined) out['x-api-key'] = h.apiKey;
        Object.assign(out, h.signed ?? {});
      }
      if (h.forwardedFor !== undefined) out['x-forwarded-for'] = h.forwardedFor;
      Object.assign(out, h.misc ?? {});
      return out;
    });
}

/** `route`'s path naming the signing agent: `{slug}` by its slug, any other parameter (`{id}`, `{did}`) by its DID. */
function ownPath(route: FuzzRoute, signer: FuzzCredentials['signer']): string {
  return route.pathParams.reduce(
    (acc, p) => acc.replace(`{${p.name}}`, encodePart(p.name === 'slug' ? signer.slug : signer.did)),
    route.path,
  );
}

/**
 * Requests for `route`: schema-conforming, schema-aware (spoilt) or noise bodies, each with its own headers and query
 * string.
 */
export function requestArb(route: FuzzRoute, creds: FuzzCredentials, bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  const path = fc
    .tuple(...route.pathParams.map((p) => pathValue(p.schema, creds).map((v) => [p.name, v] as const)))
    .map((pairs) => pairs.reduce((acc, [name, v]) => acc.replace(`{${name}}`, v), route.path));
  const schemaBody =
    route.body === undefined ? fc.constant(undefined) : fromSchema(route.body, creds).map((v) => JSON.stringify(v));
  // Bodies the route's schema accepts, so that handlers are fuzzed and not only the validator in front of them.
  const conformingBody =
    route.body === undefined
      ? fc.constant(undefined)
      : conformingFromSchema(route.body, creds).map((v) => JSON.stringify(v));
  const body = fc.oneof(
    { weight: 3, arbitrary: conformingBody },
    { weight: 5, arbitrary: schemaBody },
    { weight: 4, arbitrary: noiseBody(bodyLimit) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  // A share of an agent-signed route's cases is signed for real (when sent), so that they get past authentication and
  // its handler's own checks are fuzzed: random signature headers alone were refused 401 at the door in every case.
  // Most of those name the signer itself in the path, as its own requests do; the rest name any agent.
  const signed = acceptsAgentSignature(route)
    ? fc.oneof(fc.constant('no' as const), fc.constant('own' as const), fc.constant('any' as const))
    : fc.constant('no' as const);
  return fc
    .tuple(path, queryString(route, creds), body, headersArb(creds, route.body !== undefined), signed)
    .map(([drawn, q, payload, headers, signing]) => {
      const p = signing === 'own' ? ownPath(route, creds.signer) : drawn;
      const sign = signing !== 'no';
      const req: FuzzRequest = { method: route.method, url: `${p}${q}`, headers };
      // A GET/DELETE with a body is legal HTTP; send one now and then.
      if (payload !== undefined && (route.body !== undefined || payload.length % 5 === 0)) req.payload = payload;
      if (sign) {
        req.sign = true;
        req.headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !NOT_WITH_SIGNATURE.test(k)));
      }
      return req;
    });
}
