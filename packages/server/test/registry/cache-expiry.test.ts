import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, T0 } from '../helpers/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { consumerEnv, registrySource, signedGenesis } from './fixtures.ts';

// A consumer keeps serving its last good document while its source is down, until that document expires: a shared
// cache must not be told to keep it for longer than it is valid, or it serves a document every verifier refuses.
eachEngine('registry document: Cache-Control max-age never outlives the document', async ({ open }) => {
  const root = await generateKeyPair('Ed25519');
  const { doc } = await signedGenesis(root, ['alpha', 'bravo', 'charlie'], { validitySeconds: 120 });
  const src = await registrySource(doc);
  try {
    const clock = new ManualClock(T0 + 1000);
    const app = await makeApp(await open(), { clock, env: consumerEnv(src.url, root) });
    const fresh = await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    assert.equal(fresh.statusCode, 200);
    assert.equal(fresh.headers['cache-control'], 'public, max-age=60');

    // The source goes down; 20.5 seconds of validity are left.
    src.set(null);
    clock.set(T0 + 99_500);
    const late = await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    assert.equal(late.statusCode, 200);
    assert.equal(late.headers['cache-control'], 'public, max-age=20');

    // Under a second left: not to be stored at all.
    clock.set(T0 + 119_500);
    const last = await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    assert.equal(last.statusCode, 200);
    assert.equal(last.headers['cache-control'], 'public, max-age=0');

    clock.set(T0 + 120_000);
    const gone = await app.app.inject({ method: 'GET', url: '/.well-known/agent-trust.json' });
    assert.equal(gone.statusCode, 503);
    await app.app.close();
  } finally {
    src.server.close();
  }
});
