// Every integer a route accepts (path, query, body) is bounded by its schema within JavaScript's safe integers.
// Ajv accepts 1e30 as an integer; past 2^53 the value is no longer exact, and the storage layer refuses it as a
// programming error (500). The random fuzz only meets such values by chance; this check reads every schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeApp } from '../helpers/app.ts';
import { openStorage } from '../../src/storage/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routesFromOpenApi } from './openapi.ts';
import type { JsonSchema } from './openapi.ts';

/** `where` of every integer schema under `schema` whose bounds are missing or unsafe. */
function unboundedIntegers(schema: unknown, where: string): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => unboundedIntegers(s, `${where}[${i}]`));
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as JsonSchema;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  const found: string[] = [];
  if (types.includes('integer')) {
    const max = (s.maximum ?? s.exclusiveMaximum) as number | undefined;
    const min = (s.minimum ?? s.exclusiveMinimum) as number | undefined;
    const safe = (n: number | undefined) => n !== undefined && Math.abs(n) <= Number.MAX_SAFE_INTEGER;
    if (!safe(max) || !safe(min)) found.push(`${where} (minimum ${min}, maximum ${max})`);
  }
  for (const [k, v] of Object.entries(s)) found.push(...unboundedIntegers(v, `${where}.${k}`));
  return found;
}

test('every integer a route accepts has safe bounds in its schema', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vouch-int-bounds-'));
  const storage = await openStorage({ dataDir });
  const t = await makeApp(storage, { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    const routes = await routesFromOpenApi(t.app);
    assert.ok(routes.length > 50, `the OpenAPI document lists the routes (${routes.length})`);
    const found = routes.flatMap((r) => [
      ...r.pathParams.flatMap((p) => unboundedIntegers(p.schema, `${r.method} ${r.path} path ${p.name}`)),
      ...r.queryParams.flatMap((p) => unboundedIntegers(p.schema, `${r.method} ${r.path} query ${p.name}`)),
      ...unboundedIntegers(r.body, `${r.method} ${r.path} body`),
    ]);
    assert.deepEqual(found, []);

    // The one a reviewer reached: an audit page before id 1e30 is a 400, not a 500.
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?before=1e30',
      headers: { 'x-api-key': t.adminKey },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as { code: string }).code, 'VALIDATION_FAILED');
  } finally {
    await t.app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
