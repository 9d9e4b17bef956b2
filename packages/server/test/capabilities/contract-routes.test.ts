// The gateway routes against docs/PROTOCOL.md "Capability tokens": issuing and delegating spend a proof of possession
// (409 PROOF_REPLAYED for a used one), so /docs/json must declare 409 for both, with every other documented refusal.
import assert from 'node:assert/strict';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

eachEngine('contract: /docs/json declares the answers the gateway routes are documented to give', async ({ open }) => {
  const app = await makeApp(await open());
  try {
    const doc = (await app.app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
    for (const [path, statuses] of [
      ['/v1/tokens', ['201', '400', '401', '403', '409', '503']],
      ['/v1/tokens/delegate', ['201', '400', '401', '403', '404', '409', '503']],
      ['/v1/tokens/revoke', ['200', '401', '403', '404', '503']],
      ['/v1/intercept', ['200', '400']],
      ['/v1/intercept/batch', ['200', '400']],
    ] as const) {
      const got = Object.keys(doc.paths[path]!.post!.responses);
      for (const s of statuses) assert.ok(got.includes(s), `POST ${path} declares ${s} (has ${got.join(', ')})`);
    }
  } finally {
    await app.app.close();
  }
});
