// The route fuzz must get past validation to the handlers, where noise never gets. Counted here, for every documented
// route that takes a JSON body, on fixed samples, with the server's body validator settings (http/validation.ts): some
// schema-aware bodies (schema-arbitrary.ts) pass the route's schema, and so do the bodies of at least 1 request in 20
// as the fuzz sends them (conforming-arbitrary.ts). A generator that spoils every body (an unknown field added to 7
// objects in 8, at every depth, did) leaves handlers unfuzzed while the fuzz still passes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { openStorage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import { FUZZ_BODY_LIMIT, FUZZ_ENV } from './app-env.ts';
import { routesFromOpenApi } from './openapi.ts';
import { requestArb } from './request-arbitrary.ts';
import { fromSchema } from './schema-arbitrary.ts';
import { buildWorld } from './world.ts';

const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** Bodies drawn per route; a fixed seed, so the count is the same on every run. */
const SAMPLE = 500;

function validJson(text: string, valid: (v: unknown) => boolean): boolean {
  try {
    return valid(JSON.parse(text));
  } catch {
    return false; // noise that is not JSON at all
  }
}

test('fuzzed bodies pass each route body schema often enough to reach its handler', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-fuzz-valid-'));
  const storage = await openStorage({ dataDir });
  const t = await makeApp(storage, { env: FUZZ_ENV });
  try {
    const pools = await buildWorld(t);
    // The server's strict body validator (http/validation.ts): no coercion, unknown fields refused.
    const ajv = new Ajv({ strict: false, strictNumbers: true, useDefaults: true, removeAdditional: false });
    addFormats(ajv);
    ajv.addKeyword({ keyword: 'example' });
    const routes = (await routesFromOpenApi(t.app)).filter((r) => r.body !== undefined);
    assert.ok(routes.length >= 30, `only ${routes.length} routes with a JSON body`);
    const never: string[] = [];
    const rare: string[] = [];
    for (const route of routes) {
      const valid = ajv.compile(route.body!);
      const bodies = fc.sample(fromSchema(route.body!, pools), { numRuns: SAMPLE, seed: 1 });
      // As sent: through JSON (undefined fields dropped, -0 as 0).
      const passed = bodies.filter((b) => valid(JSON.parse(JSON.stringify(b) ?? 'null'))).length;
      if (passed === 0) never.push(`${route.method} ${route.path}`);
      // Whole requests as the route fuzz sends them: enough must carry a JSON body the schema accepts to reach the
      // handler in a default run (100 cases), whatever else they get wrong.
      const requests = fc.sample(requestArb(route, pools, FUZZ_BODY_LIMIT), { numRuns: SAMPLE, seed: 1 });
      const wellFormed = requests.filter(
        (r) =>
          /^application\/json(;|$)/.test(r.headers['content-type'] ?? '') &&
          typeof r.payload === 'string' &&
          validJson(r.payload, valid),
      ).length;
      if (wellFormed < SAMPLE / 20) rare.push(`${route.method} ${route.path}: ${wellFormed}/${SAMPLE}`);
    }
    assert.deepEqual(never, [], `no schema-aware body of ${SAMPLE} passes these routes' schemas`);
    assert.deepEqual(rare, [], 'fewer than 1 fuzzed request in 20 carries a JSON body these routes accept');
  } finally {
    await t.app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
