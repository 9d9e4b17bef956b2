// The registry page as the registry-* console tests read it: a registry document written as this test's consumer
// file, an app that consumes it against `rootKey` at T0 + 5 s, and GET /registry as HTML (200 asserted). The app is
// closed before the page is returned.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineContext } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';

/** The HTML of /registry for an app whose trust registry is `doc` (written as JSON), signed by `rootKey`. */
export async function registryPage(
  { open, dataDir }: Pick<EngineContext, 'open' | 'dataDir'>,
  rootKey: string,
  doc: unknown,
): Promise<string> {
  const file = join(dataDir, 'agent-trust.json');
  await writeFile(file, JSON.stringify(doc));
  const t = await makeApp(await open(), {
    env: {
      VOUCH_PUBLIC_URL: 'https://vouch.test',
      VOUCH_TRUST_REGISTRY_URL: file,
      VOUCH_TRUST_REGISTRY_ROOT_KEY: rootKey,
    },
    clock: new ManualClock(T0 + 5000),
  });
  try {
    const res = await t.app.inject({ method: 'GET', url: '/registry', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    return res.body;
  } finally {
    await t.app.close();
  }
}
