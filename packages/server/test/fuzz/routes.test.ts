// Every route of the live OpenAPI document, fuzzed on both engines: conforming, schema-aware and noise bodies, hostile
// headers and query strings, with and without real credentials. A route added by any module is covered as soon
// as it is registered. Properties: never a 5xx, never a hang, every 4xx a JSON `{error, code}` with string code,
// a 4xx writes nothing, every status is one the document declares for the route, and a schema refusal names its
// `field`.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { fastFingerprint } from './counts.ts';
import { routesFromOpenApi } from './openapi.ts';
import { acceptsAgentSignature, requestArb } from './request-arbitrary.ts';
import { signFuzzRequest } from './sign-request.ts';
import type { FuzzRequest } from './request-arbitrary.ts';
import { buildWorld, renewCredentials } from './world.ts';
import { FUZZ_BODY_LIMIT, FUZZ_ENV, FUZZ_REQUEST_TIMEOUT_MS } from './app-env.ts';
import {
  FUZZ_RUNS,
  assertRanAll,
  ROUTE_FUZZ_TIMEOUT_MS,
  seedFor,
  statusTally,
  withReplayHint,
  withinMs,
} from './runs.ts';

/** JSON API surfaces; everything else (the console, `/verify/...`) is a page for browsers. */
function isBrowserPage(path: string): boolean {
  return !/^\/(api|v1|\.well-known|docs|healthz|readyz|metrics)(\/|$)/.test(path);
}

/**
 * A path with a `.` or `..` segment (a path parameter's value): inject resolves it as URL parsing does, so the request
 * reaches another path, which may be served under other methods only (405, a status of no route's own).
 */
function hasDotSegment(url: string): boolean {
  return /\/\.\.?(?=\/|\?|$)/.test(url);
}

function describe(req: FuzzRequest): string {
  const body = req.payload === undefined ? '' : String(req.payload).slice(0, 300);
  const signed = req.sign === true ? ' (signed by the world agent)' : '';
  return `${req.method} ${req.url.slice(0, 300)}${signed} ${JSON.stringify(req.headers).slice(0, 400)} ${body}`;
}

eachEngine(
  'every OpenAPI route: no 5xx, no hang, JSON {error, code} on 4xx, nothing written on 4xx',
  async ({ open, t }) => {
    // Housekeeping timers (token and capability pruning, every minute in real time) are frozen: the clock jumps
    // ahead below, so a pruner firing mid-request would delete expired rows and look like a refused request writing.
    // Only setInterval is mocked; request timeouts (setTimeout) stay real.
    t.mock.timers.enable({ apis: ['setInterval'] });
    const storage = await open();
    const app = await makeApp(storage, { env: FUZZ_ENV });
    try {
      let creds = await buildWorld(app);
      const counts = await fastFingerprint(storage);
      let last = await counts();
      const routes = await routesFromOpenApi(app.app);
      assert.ok(routes.length >= 30, `only ${routes.length} routes in /docs/json`);
      // The agent-signed routes are found by their OpenAPI security: were it renamed, none would get signed cases.
      const signedRoutes = routes.filter(acceptsAgentSignature).map((r) => `${r.method} ${r.path}`);
      assert.ok(signedRoutes.includes('POST /api/v1/agents/{id}/rotate-key'), `agent-signed: ${signedRoutes.join()}`);
      for (const route of routes) {
        const name = `${route.method} ${route.path}`;
        await t.test(name, async (rt) => {
          // Credentials a route before this one rotated or revoked (its successful cases) are replaced, so this
          // route's cases can still get past authentication; the rows that writes are measured from here.
          creds = await renewCredentials(app, creds);
          last = await counts();
          const statuses = new Map<number, number>();
          const signedStatuses = new Map<number, number>();
          await withReplayHint(() =>
            fc.assert(
              fc.asyncProperty(requestArb(route, creds, FUZZ_BODY_LIMIT), async (req) => {
                // Past every fixed per-route window (at most a minute), so fixed limits do not hide handlers.
                app.clock.advance(61_000);
                const headers = await signFuzzRequest(req, creds, app.clock.now());
                const res = await withinMs(
                  app.app.inject({ method: req.method, url: req.url, headers, payload: req.payload }),
                  FUZZ_REQUEST_TIMEOUT_MS,
                  describe(req),
                );
                statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
                if (req.sign === true)
                  signedStatuses.set(res.statusCode, (signedStatuses.get(res.statusCode) ?? 0) + 1);
                const what = `${res.statusCode} ${res.body.slice(0, 300)}\n  for ${describe(req)}`;
                assert.ok(res.statusCode < 500, `5xx: ${what}`);
                const elsewhere = res.statusCode === 405 && hasDotSegment(req.url);
                assert.ok(
                  route.responses.has(String(res.statusCode)) || elsewhere,
                  `status not in /docs/json: ${what}`,
                );
                if (res.statusCode < 400) {
                  last = await counts(); // a success may write; later refusals are measured from here
                  return;
                }
                if (isBrowserPage(route.path) && /^text\/html/.test(String(res.headers['content-type']))) {
                  // Pages for people (the console, /verify/...) answer their errors as HTML pages by design.
                  assert.match(res.body, /^<!doctype html>/i, `broken error page: ${what}`);
                } else {
                  assert.match(String(res.headers['content-type']), /^application\/json/, `not JSON: ${what}`);
                  const body = JSON.parse(res.body) as { error?: unknown; code?: unknown; field?: unknown };
                  assert.equal(typeof body.code, 'string', `no code: ${what}`);
                  assert.equal(typeof body.error, 'string', `no error: ${what}`);
                  // A refusal whose sentence starts with the path of a value names it as `field` (the handler's
                  // sentence starts with it): a route's response schema must not drop it.
                  const named = /^(body|querystring|params|headers)[.[ ]/.test(String(body.error));
                  if (body.code === 'VALIDATION_FAILED' && named) {
                    assert.equal(typeof body.field, 'string', `no field: ${what}`);
                    assert.ok(
                      String(body.error).startsWith(`${String(body.field)} `),
                      `field and sentence differ: ${what}`,
                    );
                  }
                }
                assert.deepEqual(await counts(), last, `a ${res.statusCode} wrote or changed rows: ${what}`);
              }),
              { numRuns: FUZZ_RUNS, seed: seedFor(`${name}`), endOnFailure: false },
            ),
          );
          // Which answers the cases reached (e.g. "400×60 401×20 404×10 200×10"): a route only ever refused at
          // the door would show a single status here.
          rt.diagnostic(statusTally(statuses));
          assertRanAll(statuses);
          if (acceptsAgentSignature(route)) {
            // The cases signed by the world's agent: most must get past the signature check (401) and the agent's
            // standing (403, e.g. AGENT_REVOKED once a case revoked it) to the handler's own validation. Most, not
            // one: a malformed path is refused 400 before any authentication, so a few pass even unsigned.
            rt.diagnostic(`signed: ${statusTally(signedStatuses)}`);
            const signed = [...signedStatuses].reduce((n, [, k]) => n + k, 0);
            const past = [...signedStatuses].reduce((n, [s, k]) => (s === 401 || s === 403 ? n : n + k), 0);
            assert.ok(past * 2 > signed, `most signed cases stopped at the door: ${statusTally(signedStatuses)}`);
          }
        });
      }
    } finally {
      await app.app.close();
    }
  },
  { timeout: ROUTE_FUZZ_TIMEOUT_MS },
);
