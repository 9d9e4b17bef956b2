// The routes /docs/json does not list (`schema: { hide: true }`: the reference itself, the console's static assets,
// the CORS preflight), which routes.test.ts therefore never reaches, fuzzed on both engines with the same hostile
// query strings and headers, CORS origins configured so the preflight route exists. Properties: never a 5xx, never a
// hang, every JSON 4xx an `{error, code}`, nothing written. The HEAD twins Fastify adds to every GET route are fuzzed
// too, with the GET routes' requests, and requests no route takes (404, 405). And a guard: every registered route is
// in /docs/json, named below with why it is hidden, or the HEAD twin of a GET route, so a route hidden later is not
// silently left unfuzzed.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { fastFingerprint } from './counts.ts';
import { routesFromOpenApi } from './openapi.ts';
import type { FuzzRoute } from './openapi.ts';
import { encodePart, requestArb } from './request-arbitrary.ts';
import type { FuzzRequest } from './request-arbitrary.ts';
import { buildWorld } from './world.ts';
import { FUZZ_ALLOWED_ORIGIN, FUZZ_BODY_LIMIT, FUZZ_ENV, FUZZ_REQUEST_TIMEOUT_MS } from './app-env.ts';
import {
  FUZZ_RUNS,
  assertRanAll,
  ROUTE_FUZZ_TIMEOUT_MS,
  seedFor,
  statusTally,
  withReplayHint,
  withinMs,
} from './runs.ts';

/** Registered routes /docs/json leaves out, each with why (HEAD routes are Fastify's twins of the GET routes). */
const HIDDEN: Record<string, string> = {
  'GET /docs': 'the API reference page',
  'GET /docs/json': 'the OpenAPI document itself',
  'GET /assets/vouch.css': "the pages' stylesheet",
  'GET /assets/certify.js': "the certify page's script",
  'GET /favicon.ico': "the browsers' icon request, an empty 204",
  'OPTIONS *': 'the CORS preflight, on every path',
};

/** `METHOD /path` of every registered route, read from the router's own listing (`:name` parameters). */
function registeredRoutes(app: FastifyInstance): string[] {
  const found: string[] = [];
  const paths: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (m === null) continue;
    const depth = m[1]!.length / 4;
    const path = (depth === 0 ? '' : paths[depth - 1]!) + m[2]!;
    paths.length = depth;
    paths.push(path);
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) found.push(`${method} ${path}`);
  }
  return found;
}

function hiddenRoute(key: string): FuzzRoute {
  const [method, path] = key.split(' ') as [FuzzRoute['method'], string];
  return { method, path, pathParams: [], queryParams: [], body: undefined, security: [], responses: new Set() };
}

/** A known path (its parameters filled in) or any path at all. */
function anyPath(paths: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...paths).map((p) => p.replace(/\{\w+\}/g, 'x')),
    fc.array(fc.string({ maxLength: 12 }).map(encodePart), { maxLength: 6 }).map((s) => `/${s.join('/')}`),
  );
}

/**
 * Requests no route takes: a method a known path is not served under (405), or a path nothing serves (404), with a
 * body or none. The paths are filled with `x`, which no credential-free request gets past, so nothing is written.
 */
function unroutedArb(paths: readonly string[], routed: ReadonlySet<string>): fc.Arbitrary<FuzzRequest> {
  const method = fc.constantFrom<FuzzRoute['method']>('GET', 'POST', 'PUT', 'DELETE', 'PATCH');
  const payload = fc.option(fc.constantFrom('{}', '[]', 'x', '{"a":', `[${'['.repeat(100)}`), { nil: undefined });
  return fc
    .tuple(method, anyPath(paths), payload)
    .filter(([m, p]) => !routed.has(`${m} ${p}`))
    .map(([m, p, body]): FuzzRequest => {
      if (body === undefined || m === 'GET') return { method: m, url: p, headers: {} };
      return { method: m, url: p, headers: { 'content-type': 'application/json' }, payload: body };
    });
}

/** Preflights for any path: the allowed origin or not, any requested method and headers. */
function preflightArb(paths: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const text = (n: number) =>
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: n });
  const path = anyPath(paths);
  const headers = fc.record(
    {
      origin: fc.oneof(
        fc.constantFrom(FUZZ_ALLOWED_ORIGIN, `${FUZZ_ALLOWED_ORIGIN}/`, 'https://evil.example', 'null', ''),
        text(60),
      ),
      'access-control-request-method': fc.oneof(fc.constantFrom('GET', 'POST', 'DELETE', 'TRACE', ''), text(20)),
      'access-control-request-headers': fc.oneof(fc.constantFrom('content-type, authorization', '*'), text(200)),
      'content-type': fc.constantFrom('application/json', 'text/plain'),
    },
    { requiredKeys: [] },
  );
  return fc
    .tuple(path, fc.option(fc.string({ maxLength: 40 }).map(encodePart), { nil: undefined }), headers)
    .map(([p, q, h]) => ({
      method: 'OPTIONS' as FuzzRoute['method'],
      url: q === undefined ? p : `${p}?${q}`,
      headers: h,
    }));
}

eachEngine(
  'routes hidden from /docs/json: listed with a reason, and fuzzed like the others',
  async ({ open, t }) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const storage = await open();
    const app = await makeApp(storage, { env: FUZZ_ENV });
    try {
      const documented = await routesFromOpenApi(app.app);
      const inDocs = new Set(documented.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`));
      const all = registeredRoutes(app.app);
      // HEAD routes are Fastify's twins of the GET routes (fuzzed below through their GET routes' requests); one
      // registered on its own would be neither documented nor fuzzed.
      const lone = all.filter((r) => r.startsWith('HEAD ') && !all.includes(`GET ${r.slice('HEAD '.length)}`));
      assert.deepEqual(lone, [], 'HEAD routes without a GET twin: they would go unfuzzed');
      const registered = all.filter((r) => !r.startsWith('HEAD '));
      assert.ok(registered.length >= documented.length, `only ${registered.length} routes read from the router`);
      const unlisted = registered.filter((r) => !inDocs.has(r) && HIDDEN[r] === undefined);
      assert.deepEqual(unlisted, [], 'routes neither in /docs/json nor in HIDDEN: they would go unfuzzed');
      for (const key of Object.keys(HIDDEN)) assert.ok(registered.includes(key), `${key} is not registered`);

      const creds = await buildWorld(app);
      const counts = await fastFingerprint(storage);
      const last = await counts();
      const properties: Array<[string, fc.Arbitrary<FuzzRequest>]> = [
        ...Object.keys(HIDDEN)
          .filter((k) => !k.startsWith('OPTIONS '))
          .map((k) => [k, requestArb(hiddenRoute(k), creds, FUZZ_BODY_LIMIT)] as [string, fc.Arbitrary<FuzzRequest>]),
        // The HEAD twins of every GET route, documented or hidden: a GET route's requests, sent as HEAD.
        [
          'HEAD twins',
          fc
            .constantFrom(
              ...documented.filter((r) => r.method === 'GET'),
              ...Object.keys(HIDDEN)
                .filter((k) => k.startsWith('GET '))
                .map(hiddenRoute),
            )
            .chain((route) => requestArb(route, creds, FUZZ_BODY_LIMIT))
            .map((req) => ({ ...req, method: 'HEAD' as FuzzRoute['method'] })),
        ],
        [
          'no route: 404 and 405',
          unroutedArb(
            documented.map((r) => r.path),
            new Set(documented.map((r) => `${r.method} ${r.path.replace(/\{\w+\}/g, 'x')}`)),
          ),
        ],
        [
          'OPTIONS *',
          preflightArb([
            ...documented.map((r) => r.path),
            ...Object.keys(HIDDEN)
              .map((k) => k.split(' ')[1]!)
              .filter((p) => p !== '*'),
          ]),
        ],
      ];
      for (const [name, arb] of properties) {
        await t.test(name, async (rt) => {
          const statuses = new Map<number, number>();
          await withReplayHint(() =>
            fc.assert(
              fc.asyncProperty(arb, async (req) => {
                app.clock.advance(61_000);
                const res = await withinMs(
                  app.app.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.payload }),
                  FUZZ_REQUEST_TIMEOUT_MS,
                  `${req.method} ${req.url.slice(0, 200)}`,
                );
                statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
                const sent = `${req.method} ${req.url.slice(0, 300)} ${JSON.stringify(req.headers).slice(0, 400)}`;
                const what = `${res.statusCode} ${res.body.slice(0, 300)}\n  for ${sent}`;
                assert.ok(res.statusCode < 500, `5xx: ${what}`);
                if (res.statusCode >= 400) {
                  if (req.method === ('HEAD' as FuzzRoute['method'])) {
                    // No body to read: the GET twin's error type, JSON or an HTML page, is still announced.
                    assert.match(
                      String(res.headers['content-type']),
                      /^(application\/json|text\/html)/,
                      `type: ${what}`,
                    );
                  } else if (/^text\/html/.test(String(res.headers['content-type']))) {
                    assert.match(res.body, /^<!doctype html>/i, `broken error page: ${what}`);
                  } else {
                    assert.match(String(res.headers['content-type']), /^application\/json/, `not JSON: ${what}`);
                    const body = JSON.parse(res.body) as { error?: unknown; code?: unknown };
                    assert.equal(typeof body.code, 'string', `no code: ${what}`);
                    assert.equal(typeof body.error, 'string', `no error: ${what}`);
                  }
                }
                // None of these routes writes, whatever it answers (read once: equal to the last, it is the last).
                assert.deepEqual(await counts(), last, `a ${res.statusCode} wrote or changed rows: ${what}`);
              }),
              { numRuns: FUZZ_RUNS, seed: seedFor(`hidden ${name}`), endOnFailure: false },
            ),
          );
          rt.diagnostic(statusTally(statuses));
          assertRanAll(statuses);
        });
      }
    } finally {
      await app.app.close();
    }
  },
  { timeout: ROUTE_FUZZ_TIMEOUT_MS },
);
