// The schema-aware bodies of the route fuzz (schema-arbitrary.ts) exist to get past validation to the handlers, where
// noise never gets. Counted here, for every documented route that takes a JSON body: some of a fixed sample must pass
// the route's own body schema, checked with the server's body validator settings (http/validation.ts). A generator that
// spoils every body (an unknown field added to 7 objects in 8, at every depth, did) leaves handlers unfuzzed while
// the fuzz still passes.
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
import { FUZZ_ENV } from './app-env.ts';
import { routesFromOpenApi } from './openapi.ts';
import { fromSchema } from './schema-arbitrary.ts';
import { buildWorld } from './world.ts';

const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

/** Bodies drawn per route; a fixed seed, so the count is the same on every run. */
const SAMPLE = 500;

test('schema-aware fuzz bodies pass each route body schema now and then', async () => {
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
    for (const route of routes) {
      const valid = ajv.compile(route.body!);
      const bodies = fc.sample(fromSchema(route.body!, pools), { numRuns: SAMPLE, seed: 1 });
      // As sent: through JSON (undefined fields dropped, -0 as 0).
      const passed = bodies.filter((b) => valid(JSON.parse(JSON.stringify(b) ?? 'null'))).length;
      if (passed === 0) never.push(`${route.method} ${route.path}`);
    }
    assert.deepEqual(never, [], `no schema-aware body of ${SAMPLE} passes these routes' schemas`);
  } finally {
    await t.app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
