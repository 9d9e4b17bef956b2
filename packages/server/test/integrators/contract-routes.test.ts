// The integrator routes against docs/PROTOCOL.md "Integrators, consent, ingestion, reputation": every refusal a route
// gives is declared in /docs/json (a metrics change or a key rotation racing another answers 409 CONFLICT; the route
// fuzzer never races, so only this list holds those). The rotation's 409 was left out of it, so a schema that dropped
// it passed.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

eachEngine('contract: /docs/json declares the answers the integrator routes give', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const doc = (await app.app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
    for (const [method, path, statuses] of [
      ['post', '/api/v1/admin/integrators', ['201', '400', '401', '409']],
      ['put', '/api/v1/admin/integrators/{slug}/metrics', ['200', '400', '401', '404', '409']],
      ['post', '/api/v1/admin/integrators/{slug}/rotate-key', ['200', '401', '404', '409']],
      ['post', '/api/v1/integrators/consent', ['200', '400', '403', '404', '409']],
      ['get', '/api/v1/integrators/{slug}/disclosure', ['200', '404']],
    ] as const) {
      const got = Object.keys(doc.paths[path]![method]!.responses);
      for (const s of statuses) assert.ok(got.includes(s), `${method} ${path} declares ${s} (has ${got.join(', ')})`);
    }
  } finally {
    await app.app.close();
  }
});
